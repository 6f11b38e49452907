import assert from "node:assert/strict";
import { catalog } from "../../catalog";
import { renderPrometheusRules } from "../../platform/alerts/prometheus-rules";
import { parsePlatformConfig } from "../../platform/config";
import { loadSchemaValidators, type Manifest } from "../../platform/kubernetes/manifest";
import { type RecordedResource, Secret } from "../harness/pulumi-mocks";
import { loadStackConfig } from "../harness/stack-files";
import { kind, localClusterRun } from "./local-cluster-run";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk manifests of many shapes
type Obj = Record<string, any>;
const named = (ms: Manifest[], name: string) => ms.find((m) => m.metadata.name === name) as Obj | undefined;
const running = catalog.filter((s) => s.kind !== "job");
const publicServices = catalog.filter((s) => s.publicRoutes.length > 0);

describe("local-cluster stack (kubernetes realization)", function () {
  this.timeout(120_000);
  let manifests: Manifest[];
  let resources: RecordedResource[];
  let outputs: Record<string, unknown>;

  before(async () => {
    ({ manifests, resources, outputs } = await localClusterRun());
  });

  it("the stack file selects the kubernetes realization with small sizes", () => {
    const values = loadStackConfig("local-cluster").values;
    const config = parsePlatformConfig((key) => values[`battle-ready:${key}`]);
    assert.equal(config.realization, "kubernetes");
    assert.equal(values["battle-ready:k8sVolumeGiB"], "1");
    assert.equal(outputs.realization, "kubernetes");
  });

  it("puts the apps in a namespace enforcing the restricted Pod Security Standard, behind a default deny", () => {
    const ns = named(kind(manifests, "Namespace"), "battle-ready")!;
    assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    const deny = named(kind(manifests, "NetworkPolicy"), "default-deny")!;
    assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  it("runs MariaDB, Redis, dynamodb-local and ActiveMQ as StatefulSets with volume claims", () => {
    const sets = kind(manifests, "StatefulSet") as Obj[];
    assert.deepEqual(sets.map((s) => s.metadata.name).sort(), ["activemq", "dynamodb", "mysql", "redis"]);
    for (const s of sets) {
      assert.equal(s.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "1Gi", s.metadata.name);
      assert.equal(s.spec.volumeClaimTemplates[0].spec.storageClassName, "standard");
      const service = named(kind(manifests, "Service"), s.metadata.name)!;
      assert.equal(service.spec.clusterIP, "None", `${s.metadata.name} has a headless Service`);
    }
  });

  it("exposes broker, MySQL and Redis metrics to Prometheus through exporter sidecars and ServiceMonitors", () => {
    for (const name of ["activemq", "mysql", "redis"]) {
      const set = named(kind(manifests, "StatefulSet"), name)!;
      const exporter = set.spec.template.spec.containers.find((c: Obj) => c.ports?.[0]?.name === "metrics");
      assert.ok(exporter, `${name} has an exporter`);
      const monitor = named(kind(manifests, "ServiceMonitor"), name)!;
      assert.equal(monitor.spec.endpoints[0].port, "metrics");
    }
    const broker = named(kind(manifests, "StatefulSet"), "activemq")!;
    const jmx = named(kind(manifests, "ConfigMap"), "activemq-jmx-exporter")!;
    assert.match(jmx.data["jmx-exporter.yaml"], /activemq_queue_size/);
    const env = Object.fromEntries(broker.spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e]));
    assert.match(env.ACTIVEMQ_SUNJMX_START.value, /jmxremote\.host=127\.0\.0\.1/, "JMX only on loopback");
  });

  it("backs MySQL up to the LocalStack bucket nightly, with a restore template that never runs by itself", () => {
    const backup = named(kind(manifests, "CronJob"), "mysql-backup")!;
    assert.equal(backup.spec.schedule, "0 */6 * * *");
    assert.equal(backup.spec.concurrencyPolicy, "Forbid");
    const pod = backup.spec.jobTemplate.spec.template.spec;
    assert.match(pod.initContainers[0].command.join(" "), /mariadb-dump [\s\S]*--single-transaction/);
    assert.match(
      pod.containers[0].command.join(" "),
      /aws s3 --endpoint-url http:\/\/localstack\.localstack\.svc\.cluster\.local:4566 cp \S+ "s3:\/\/battle-ready-local-backups\/mysql\//,
    );
    const restore = named(kind(manifests, "CronJob"), "mysql-restore")!;
    assert.equal(restore.spec.suspend, true);
    assert.match(
      restore.spec.jobTemplate.spec.template.spec.containers[0].command.join(" "),
      /gunzip -c \S+ \| mariadb/,
    );
    const bucket = resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
    assert.equal(bucket.inputs.bucket, "battle-ready-local-backups");
    const provider = resources.find((r) => r.type === "pulumi:providers:aws")!;
    assert.match(JSON.stringify(provider.inputs.endpoints), /localhost:4566/);
  });

  it("gives every service a Deployment without replicas, a Service, an HPA, a PDB and a NetworkPolicy", () => {
    for (const s of running) {
      const deployment = named(kind(manifests, "Deployment"), s.name)!;
      assert.ok(deployment, s.name);
      assert.equal(deployment.spec.replicas, undefined, `${s.name}: the HPA owns replicas`);
      const c = deployment.spec.template.spec.containers[0];
      assert.equal(c.readinessProbe.httpGet.path, s.health.readiness);
      assert.equal(c.livenessProbe.httpGet.path, s.health.liveness);
      assert.equal(c.resources.limits.cpu, `${s.resources.cpu}m`);
      assert.doesNotMatch(c.image, /:latest$/);
      const hpa = named(kind(manifests, "HorizontalPodAutoscaler"), s.name)!;
      assert.equal(hpa.spec.scaleTargetRef.name, s.name);
      assert.equal(
        hpa.spec.maxReplicas,
        Math.min(s.scaling.max, 2),
        `${s.name}: tasksMaxPerService caps at 2`,
      );
      assert.ok(hpa.spec.behavior.scaleUp && hpa.spec.behavior.scaleDown);
      const pdb = named(kind(manifests, "PodDisruptionBudget"), s.name)!;
      assert.ok((pdb.spec.minAvailable ?? 0) <= hpa.spec.minReplicas);
      assert.ok(named(kind(manifests, "Service"), s.name));
      assert.ok(named(kind(manifests, "ServiceMonitor"), s.name), `${s.name} is scraped`);
    }
  });

  it("runs the load generator job only on demand, with its catalog args, without ports or probes", () => {
    const tgibf = named(kind(manifests, "CronJob"), "tgibf")!;
    assert.equal(tgibf.spec.suspend, true);
    assert.equal(named(kind(manifests, "Deployment"), "tgibf"), undefined);
    const [container] = tgibf.spec.jobTemplate.spec.template.spec.containers;
    assert.deepEqual(container.args, catalog.find((s) => s.name === "tgibf")!.args);
    assert.ok(container.args.includes("--allow-remote"), "its in-cluster target is not loopback");
    for (const field of ["ports", "startupProbe", "livenessProbe", "readinessProbe"])
      assert.equal(container[field], undefined, `no ${field}: a job serves no HTTP`);
    const webhook = container.env.find((e: Obj) => e.name === "WEBHOOK");
    assert.match(webhook.value, /^http:\/\/call-webhook\.battle-ready\.svc(\.cluster\.local)?:8090$/);
    assert.equal(tgibf.spec.jobTemplate.spec.template.spec.restartPolicy, "Never");
  });

  it("network policies follow the catalog: callers in, callees and dependencies out, DNS always", () => {
    const policy = (name: string) => named(kind(manifests, "NetworkPolicy"), name)!;
    const backend = policy("oversupply-backend");
    const callers = backend.spec.ingress[0].from
      .map((p: Obj) => p.podSelector?.matchLabels?.["app.kubernetes.io/name"])
      .filter(Boolean)
      .sort();
    assert.deepEqual(callers, ["oversupply-cruncher", "oversupply-frontend", "oversupply-matcher"]);
    const egressTo = (name: string) =>
      policy(name)
        .spec.egress.map((r: Obj) => r.to?.[0]?.podSelector?.matchLabels?.["app.kubernetes.io/name"] ?? "dns")
        .sort();
    assert.deepEqual(egressTo("oversupply-backend"), ["activemq", "dns", "mysql"]);
    assert.deepEqual(egressTo("order-api"), ["dns", "dynamodb", "order-processor"]);
    assert.deepEqual(egressTo("buffs-server"), ["activemq", "dns", "mysql", "redis"]);
    const mysqlClients = policy("mysql")
      .spec.ingress[0].from.map((p: Obj) => p.podSelector.matchLabels["app.kubernetes.io/name"])
      .sort();
    assert.deepEqual(mysqlClients, [
      "buffs-server",
      "call-webhook",
      "mysql-backup",
      "mysql-provision",
      "mysql-restore",
      "oversupply-backend",
      "todo",
    ]);
  });

  it("routes every public service through an Ingress, and no internal one", () => {
    const ingresses = kind(manifests, "Ingress")
      .map((i) => i.metadata.name)
      .sort();
    assert.deepEqual(ingresses, publicServices.map((s) => s.name).sort());
    const todo = named(kind(manifests, "Ingress"), "todo")!;
    assert.equal(todo.metadata.annotations["nginx.ingress.kubernetes.io/rewrite-target"], "/$2");
    assert.equal(todo.spec.ingressClassName, "nginx");
  });

  it("references every password through a secretKeyRef, and feeds Secrets from generated passwords", () => {
    for (const d of kind(manifests, "Deployment") as Obj[])
      for (const e of d.spec.template.spec.containers[0].env)
        if (/PASS|SECRET|TOKEN/.test(e.name)) {
          assert.ok(e.valueFrom?.secretKeyRef, `${d.metadata.name} ${e.name}`);
          assert.deepEqual(
            Object.keys(e.valueFrom.secretKeyRef).sort(),
            ["key", "name"],
            `${d.metadata.name} ${e.name}: a secretKeyRef names its Secret and key, and carries nothing else`,
          );
        }
    for (const r of resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment"))
      assert.ok(!(r.inputs.spec instanceof Secret), `${r.name}: no secret value may reach a Deployment`);
    const credentials = resources.find(
      (r) => r.type === "kubernetes:core/v1:Secret" && r.name === "mysql-credentials",
    )!;
    const data = credentials.inputs.stringData;
    assert.ok(data instanceof Secret, "the Secret's data stays a Pulumi secret (encrypted in state)");
    for (const key of ["password", "root-password", "exporter-password", "backup-password"])
      assert.match(
        String((data.value as Record<string, unknown>)[key]),
        /^MOCKSECRET-mysql-/,
        `${key} is generated`,
      );
    const tls = resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "mysql-tls")!;
    assert.ok(tls.inputs.stringData instanceof Secret);
  });

  it("scales the matcher on its queue's depth: an External HPA metric that prometheus-adapter serves", async () => {
    const hpas = kind(manifests, "HorizontalPodAutoscaler");
    const matcher = named(hpas, "oversupply-matcher")!;
    const external = matcher.spec.metrics.filter((m: Obj) => m.type === "External");
    assert.deepEqual(external, [
      {
        type: "External",
        external: {
          metric: {
            name: "activemq_queue_size",
            selector: { matchLabels: { queue: "oversupply.match-requests" } },
          },
          target: { type: "AverageValue", averageValue: "20" },
        },
      },
    ]);
    assert.ok(
      matcher.spec.metrics.some((m: Obj) => m.type === "Resource" && m.resource.name === "cpu"),
      "CPU still counts",
    );
    const validators = await loadSchemaValidators();
    assert.equal(validators.validate(matcher as Manifest), true, "the HPA validates against autoscaling/v2");
    const others = hpas.filter((h) => h.metadata.name !== "oversupply-matcher") as Obj[];
    assert.ok(others.length > 0);
    for (const h of others)
      assert.ok(
        !h.spec.metrics.some((m: Obj) => m.type === "External"),
        `${h.metadata.name} has no queue metric`,
      );

    const adapter = resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "prometheus-adapter",
    )!;
    const rules = (adapter.inputs.values as Obj).rules;
    assert.equal(rules.external.length, 1);
    const rule = rules.external[0];
    assert.match(rule.seriesQuery, /^activemq_queue_size\{/);
    assert.equal(rule.name.as, "activemq_queue_size", "the name the HPA asks for");
    assert.deepEqual(
      rule.resources.overrides,
      { namespace: { resource: "namespace" } },
      "scoped to the HPA's namespace",
    );
    assert.match(rule.metricsQuery, /<<\.LabelMatchers>>/, "the HPA's queue selector reaches the query");
    assert.equal(rules.custom.length, 1, "the requests-per-second rule stays");
  });

  it("installs kube-prometheus-stack, prometheus-adapter, Loki and Promtail as pinned Helm releases", () => {
    const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    assert.deepEqual(releases.map((r) => r.inputs.chart).sort(), [
      "kube-prometheus-stack",
      "loki",
      "prometheus-adapter",
      "promtail",
    ]);
    for (const r of releases) assert.match(String(r.inputs.version), /^\d+\.\d+\.\d+$/);
  });

  it("renders the PrometheusRule from the one set of alert definitions", () => {
    const rule = kind(manifests, "PrometheusRule")[0] as Obj;
    const alerts = rule.spec.groups.flatMap((g: Obj) => g.rules).filter((r: Obj) => r.alert);
    const expected = renderPrometheusRules()[0]!.rules;
    assert.deepEqual(
      alerts.map((a: Obj) => [a.alert, a.expr]),
      expected.map((a) => [a.alert, a.expr]),
    );
    const records = rule.spec.groups
      .flatMap((g: Obj) => g.rules)
      .map((r: Obj) => r.record)
      .filter(Boolean);
    assert.deepEqual(records, [
      "battle_ready_mysql_free_storage_ratio",
      "battle_ready_backup_last_success_timestamp_seconds",
    ]);
  });

  it("provisions a Grafana dashboard per service plus MySQL, Redis and ActiveMQ", () => {
    const dashboards = kind(manifests, "ConfigMap").filter(
      (c) => c.metadata.labels?.grafana_dashboard === "1",
    ) as Obj[];
    assert.equal(dashboards.length, running.length + 3);
    const titles = dashboards.map((d) => JSON.parse(Object.values(d.data)[0] as string).title);
    for (const t of ["MySQL", "Redis", "ActiveMQ", "todo (RED)"]) assert.ok(titles.includes(t), t);
  });
});
