import assert from "node:assert/strict";
import { createDataStore } from "../../components/data-store";
import { KubernetesDataStore } from "../../components/data-store/kubernetes";
import { alertmanagerConfig } from "../../components/observability-stack/kubernetes";
import { KubernetesQueueBroker } from "../../components/queue-broker/kubernetes";
import { KubernetesSecrets } from "../../components/secrets/kubernetes";
import { KubernetesServiceFleet } from "../../components/service-fleet/kubernetes";
import { ofType, parentOf, runUnderMocks, Secret, single } from "../harness/pulumi-mocks";

describe("kubernetes components under mocks", () => {
  it("DataStore (redis): children parented to the component, defaults, and the transform hook", async () => {
    const { resources } = await runUnderMocks(() => {
      new KubernetesDataStore("cache", {
        engine: "redis",
        kubernetes: {
          namespace: "ns",
          clients: ["web"],
          transform: {
            statefulSet: (args) => void Object.assign(args.metadata as object, { annotations: { a: "b" } }),
          },
        },
      });
    });
    const set = single(resources, "kubernetes:apps/v1:StatefulSet");
    assert.equal(parentOf(resources, set)?.type, "battle-ready:kubernetes:DataStore");
    assert.deepEqual((set.inputs.metadata as { annotations: unknown }).annotations, { a: "b" });
    const spec = set.inputs.spec as {
      volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[];
    };
    assert.equal(spec.volumeClaimTemplates[0]!.spec.resources.requests.storage, "1Gi");
    const policy = single(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs as {
      spec: { ingress: { from: { podSelector?: { matchLabels: Record<string, string> } }[] }[] };
    };
    assert.deepEqual(policy.spec.ingress[0]!.from[0]!.podSelector!.matchLabels, {
      "app.kubernetes.io/name": "web",
    });
    for (const r of resources.filter(
      (x) => x.custom && x.type !== "random:index/randomPassword:RandomPassword",
    ))
      assert.notEqual(r.parent, undefined, `${r.type} ${r.name} has a parent`);
  });

  it("DataStore factory picks the kubernetes realization", async () => {
    const { resources } = await runUnderMocks(() => {
      createDataStore("kubernetes", "tables", {
        engine: "dynamodb",
        tables: [{ name: "orders", hashKey: "id", readCapacity: 1, writeCapacity: 1 }],
      });
    });
    assert.equal(ofType(resources, "battle-ready:kubernetes:DataStore").length, 1);
    assert.equal(ofType(resources, "kubernetes:batch/v1:Job").length, 1, "the table-creating Job");
  });

  it("QueueBroker: one STOMP StatefulSet with a generated password and a metrics port", async () => {
    const { resources, outputs } = await runUnderMocks(() => {
      const mq = new KubernetesQueueBroker("mq", { queues: ["buffs"], kubernetes: { namespace: "ns" } });
      return { port: mq.endpoint.port, host: mq.endpoint.host, password: mq.endpoint.password };
    });
    assert.deepEqual(outputs, {
      port: 61613,
      host: "mq.ns.svc.cluster.local",
      password: { name: "mq-credentials", key: "password" },
    });
    const secret = single(resources, "kubernetes:core/v1:Secret");
    assert.ok(secret.inputs.stringData instanceof Secret);
    const service = single(resources, "kubernetes:core/v1:Service").inputs as {
      spec: { ports: { name: string }[] };
    };
    assert.deepEqual(
      service.spec.ports.map((p) => p.name),
      ["stomp", "metrics"],
    );
  });

  it("Secrets: one Secret per name, fed by a RandomPassword", async () => {
    const { resources } = await runUnderMocks(() => {
      new KubernetesSecrets("s", { namespace: "ns", secrets: { "api-token": {} } });
    });
    assert.equal(ofType(resources, "random:index/randomPassword:RandomPassword").length, 1);
    const secret = single(resources, "kubernetes:core/v1:Secret");
    assert.equal((secret.inputs.metadata as { name: string }).name, "api-token");
    assert.ok(secret.inputs.stringData instanceof Secret);
    await assert.rejects(
      runUnderMocks(() => {
        new KubernetesSecrets("s", { namespace: "ns", secrets: { Bad_Name: {} } });
      }),
      /"Bad_Name" is not a valid Secret name/,
    );
  });

  it("ServiceFleet: an internal worker gets no Ingress, and no ingress controller in its policy", async () => {
    const { resources } = await runUnderMocks(() => {
      new KubernetesServiceFleet("fleet", {
        namespace: "ns",
        ingress: { className: "nginx", controllerNamespace: "ingress-nginx" },
        services: [
          {
            name: "worker",
            system: "s",
            kind: "worker",
            image: "battle-ready/worker:1",
            port: 9000,
            readinessPath: "/readyz",
            livenessPath: "/healthz",
            metricsPath: "/metrics",
            cpu: 100,
            memory: 128,
            env: [],
            scaling: { min: 1, max: 3, cpuTarget: 70 },
          },
        ],
      });
    });
    assert.equal(ofType(resources, "kubernetes:networking.k8s.io/v1:Ingress").length, 0);
    const policy = single(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs as {
      spec: { ingress: { from: { namespaceSelector?: { matchLabels: Record<string, string> } }[] }[] };
    };
    const namespaces = policy.spec.ingress[0]!.from.map(
      (p) => p.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"],
    );
    assert.deepEqual(namespaces, ["monitoring"]);
    const hpa = single(resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs as {
      spec: { minReplicas: number; maxReplicas: number; metrics: unknown[] };
    };
    assert.equal(hpa.spec.minReplicas, 1);
    assert.equal(hpa.spec.maxReplicas, 3);
    assert.equal(hpa.spec.metrics.length, 1);
    const pdb = single(resources, "kubernetes:policy/v1:PodDisruptionBudget").inputs as {
      spec: Record<string, unknown>;
    };
    assert.equal(pdb.spec.maxUnavailable, 1);
  });

  const worker = {
    name: "worker",
    system: "s",
    kind: "worker" as const,
    image: "battle-ready/worker:1",
    port: 9000,
    readinessPath: "/readyz",
    livenessPath: "/healthz",
    metricsPath: "/metrics",
    cpu: 100,
    memory: 128,
    env: [],
    scaling: { min: 1, max: 3, cpuTarget: 70 },
  };
  const loadgen = {
    name: "loadgen",
    system: "s",
    kind: "job" as const,
    image: "battle-ready/loadgen:1",
    args: ["--allow-remote", "--json"],
    cpu: 100,
    memory: 128,
    env: [{ name: "TARGET", value: "http://worker.ns.svc.cluster.local:9000" }],
    calls: ["worker"],
    scaling: { min: 0, max: 1, cpuTarget: 80 },
  };

  it("ServiceFleet: a job is a suspended CronJob running its args, without ports or probes, admitting nothing in", async () => {
    const { resources } = await runUnderMocks(() => {
      new KubernetesServiceFleet("fleet", { namespace: "ns", services: [worker, loadgen] });
    });
    assert.equal(ofType(resources, "kubernetes:apps/v1:Deployment").length, 1, "only the worker");
    const cron = single(resources, "kubernetes:batch/v1:CronJob").inputs as {
      spec: {
        suspend: boolean;
        jobTemplate: { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
      };
    };
    assert.equal(cron.spec.suspend, true);
    const [container] = cron.spec.jobTemplate.spec.template.spec.containers;
    assert.deepEqual(container!.args, ["--allow-remote", "--json"]);
    for (const field of ["ports", "startupProbe", "livenessProbe", "readinessProbe", "command"])
      assert.equal(container![field], undefined, `a job's container has no ${field}`);
    const policies = ofType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    const jobPolicy = policies.find((p) => p.name === "loadgen")!.inputs as {
      spec: { ingress: unknown[]; egress: { ports?: { port: number }[] }[] };
    };
    assert.deepEqual(jobPolicy.spec.ingress, []);
    assert.ok(
      jobPolicy.spec.egress.some((e) => e.ports?.[0]?.port === 9000),
      "egress to its callee",
    );
    // The worker keeps its port and probes.
    const deployment = single(resources, "kubernetes:apps/v1:Deployment").inputs as {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    const [served] = deployment.spec.template.spec.containers;
    assert.ok(served!.ports && served!.readinessProbe && served!.livenessProbe && served!.startupProbe);
    assert.equal(served!.args, undefined);
  });

  it("ServiceFleet: refuses a job with a port or probes' paths, a worker without them, and a call to a job", async () => {
    const refused = (services: Parameters<typeof fleetOf>[0], message: RegExp) =>
      assert.rejects(
        runUnderMocks(() => fleetOf(services)),
        message,
      );
    const fleetOf = (services: ConstructorParameters<typeof KubernetesServiceFleet>[1]["services"]) =>
      void new KubernetesServiceFleet("fleet", { namespace: "ns", services });
    await refused([worker, { ...loadgen, port: 8091 }], /loadgen is a job: it serves no HTTP/);
    await refused([worker, { ...loadgen, livenessPath: "/healthz" }], /loadgen is a job/);
    await refused([{ ...worker, metricsPath: undefined }], /worker \(a worker\) needs port/);
    await refused([{ ...worker, args: ["--x"] }], /worker: args are a job's/);
    await refused([{ ...worker, calls: ["loadgen"] }, loadgen], /worker calls loadgen, a job/);
  });
});

describe("kubernetes observability: Alertmanager routing", () => {
  it("routes every alert but the Watchdog to the stack's webhooks, keeping the URLs secret", async () => {
    assert.equal(alertmanagerConfig([]), undefined, "no webhook: the chart's default route");
    const { outputs } = await runUnderMocks(() => ({
      config: alertmanagerConfig(["https://hooks.example.com/t0ken"]),
    }));
    const config = outputs.config as {
      route: { receiver: string; routes: { receiver: string }[] };
      receivers: { name: string; webhook_configs?: { url: unknown; send_resolved: boolean }[] }[];
    };
    assert.equal(config.route.receiver, "platform");
    assert.equal(config.route.routes[0]!.receiver, "null");
    const hook = config.receivers.find((r) => r.name === "platform")!.webhook_configs![0]!;
    assert.ok(hook.url instanceof Secret);
    assert.equal(hook.send_resolved, true);
  });
});
