import assert from "node:assert/strict";
import { parse } from "yaml";
import { validateKubernetesStoreArgs } from "../../components/data-store/kubernetes";
import { createTablesScript } from "../../components/data-store/kubernetes-dynamodb";
import { provisioningSql } from "../../components/data-store/kubernetes-mysql";
import {
  downloadScript,
  dumpScript,
  uploadScript,
} from "../../components/data-store/kubernetes-mysql-backup";
import { redisMaxMemoryBytes } from "../../components/data-store/kubernetes-redis";
import { jmxExporterConfig } from "../../components/queue-broker/kubernetes";
import {
  type KubernetesFleetService,
  validateKubernetesFleetArgs,
} from "../../components/service-fleet/kubernetes";
import { ingressPath, planIngress } from "../../components/service-fleet/kubernetes-ingress";
import { disruptionBudget, hpaBehavior, hpaMetrics } from "../../components/service-fleet/kubernetes-scaling";
import { CONFIG_DEFAULTS } from "../../platform/config";
import { KUBERNETES_CONFIG_DEFAULTS, parseKubernetesConfig } from "../../platform/kubernetes/config";
import { readProjectFile } from "../harness/stack-files";

describe("kubernetes realization: pure pieces", () => {
  describe("scaling", () => {
    it("scales up by half the range or doubling, and down one pod at a time after five calm minutes", () => {
      const b = hpaBehavior(2, 6);
      assert.deepEqual(b.scaleUp.policies, [
        { type: "Pods", value: 2, periodSeconds: 30 },
        { type: "Percent", value: 100, periodSeconds: 30 },
      ]);
      assert.equal(b.scaleDown.stabilizationWindowSeconds, 300);
      assert.deepEqual(b.scaleDown.policies, [{ type: "Pods", value: 1, periodSeconds: 120 }]);
      assert.equal(hpaBehavior(1, 1).scaleUp.policies[0]!.value, 1);
    });

    it("tracks CPU, and requests per second per pod where the catalog sets a request target", () => {
      const metrics = hpaMetrics({ cpuTarget: 60, requestsPerTarget: 3000 });
      assert.equal(metrics.length, 2);
      assert.deepEqual((metrics[1] as { pods: unknown }).pods, {
        metric: { name: "http_requests_per_second" },
        target: { type: "AverageValue", averageValue: "50000m" },
      });
      assert.equal(hpaMetrics({ cpuTarget: 70 }).length, 1, "workers scale on CPU only");
    });

    it("adds the queue's depth per pod as an External metric for a queue consumer", () => {
      const metrics = hpaMetrics({ cpuTarget: 70, queue: { name: "jobs", targetDepthPerInstance: 2.5 } });
      assert.equal(metrics.length, 2);
      assert.deepEqual(metrics[1], {
        type: "External",
        external: {
          metric: { name: "activemq_queue_size", selector: { matchLabels: { queue: "jobs" } } },
          target: { type: "AverageValue", averageValue: "2.5" },
        },
      });
    });

    it("keeps the disruption budget within the HPA's floor", () => {
      assert.deepEqual(disruptionBudget(1), { maxUnavailable: 1 });
      assert.deepEqual(disruptionBudget(2), { minAvailable: 1 });
      assert.deepEqual(disruptionBudget(5), { minAvailable: 4 });
    });
  });

  describe("ingress", () => {
    it("turns load-balancer patterns into Ingress paths", () => {
      assert.deepEqual(ingressPath("/orders/*"), { path: "/orders", pathType: "Prefix" });
      assert.deepEqual(ingressPath("/buff"), { path: "/buff", pathType: "Exact" });
      assert.deepEqual(ingressPath("/"), { path: "/", pathType: "Prefix" });
    });

    it("moves two pages that both claim / under their own stripped prefixes", () => {
      const plan = planIngress([
        { name: "a", publicRoutes: [{ method: "GET", path: "/" }] },
        { name: "b", publicRoutes: [{ method: "GET", path: "/" }] },
        { name: "orders", publicRoutes: [{ method: "GET", path: "/orders/:id" }], ingressPrefix: "/orders" },
      ]);
      assert.deepEqual(
        plan.find((p) => p.service === "a"),
        {
          service: "a",
          paths: [{ path: "/a(/|$)(.*)", pathType: "ImplementationSpecific" }],
          stripPrefix: "/a",
          urlPath: "/a/",
        },
      );
      assert.deepEqual(plan.find((p) => p.service === "orders")!.paths, [
        { path: "/orders", pathType: "Prefix" },
      ]);
    });
  });

  describe("config", () => {
    it("declares every k8s key in Pulumi.yaml with the parser's default", () => {
      const declared = readProjectFile().config ?? {};
      for (const [key, value] of Object.entries(KUBERNETES_CONFIG_DEFAULTS)) {
        assert.deepEqual(declared[key]?.default, value, key);
        assert.equal((CONFIG_DEFAULTS as Record<string, unknown>)[key], value);
      }
    });

    it("parses the defaults and names a bad key", () => {
      const config = parseKubernetesConfig(() => undefined);
      assert.equal(config.namespace, "battle-ready");
      assert.equal(config.storageClass, undefined);
      assert.equal(config.backup.endpoint, undefined);
      const cases: [Record<string, string>, RegExp][] = [
        [{ k8sNamespace: "Battle_Ready" }, /battle-ready:k8sNamespace: must be a DNS label/],
        [{ k8sVolumeGiB: "0" }, /battle-ready:k8sVolumeGiB: must be an integer from 1/],
        [
          { k8sBackupSchedule: "cron(0 3 * * ? *)" },
          /battle-ready:k8sBackupSchedule: must be a 5-field cron/,
        ],
        [{ k8sBackupEndpoint: "localstack" }, /battle-ready:k8sBackupEndpoint: must be a base URL/],
        [{ k8sImageRegistry: "localhost:5000" }, /battle-ready:k8sImageRegistry: must end with \//],
        [{ k8sBackupBucket: "Backups!" }, /battle-ready:k8sBackupBucket: must be an S3 bucket name/],
      ];
      for (const [values, message] of cases)
        assert.throws(() => parseKubernetesConfig((k) => values[k]), message, JSON.stringify(values));
    });
  });

  describe("data stores", () => {
    it("provisions each database for the app user, and the exporter and backup users", () => {
      const sql = provisioningSql(["buffs", "todo"], "battleready");
      assert.match(
        sql,
        /CREATE DATABASE IF NOT EXISTS `buffs`;\nGRANT ALL PRIVILEGES ON `buffs`\.\* TO 'battleready'@'%';/,
      );
      assert.match(
        sql,
        /GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON \*\.\* TO 'exporter'@'%'/,
      );
      assert.match(
        sql,
        /GRANT SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT, RELOAD ON \*\.\* TO 'backup'@'%'/,
      );
      assert.throws(() => provisioningSql(["x; DROP DATABASE y"], "u"), /not valid/);
    });

    it("dumps consistently, checks the archive and writes a checksum; the restore verifies it", () => {
      const dump = dumpScript("mysql.ns.svc.cluster.local", 3306, ["a", "b"]);
      assert.match(dump, /--single-transaction/);
      assert.match(dump, /--databases a b/);
      assert.match(dump, /--ssl-verify-server-cert/);
      assert.match(dump, /gzip -t/);
      assert.match(dump, /sha256sum/);
      assert.match(uploadScript("bkt"), /^set -eu\n.*\naws s3 cp /);
      assert.match(uploadScript("bkt", "http://ls:4566"), /aws s3 --endpoint-url http:\/\/ls:4566 cp/);
      assert.match(downloadScript("bkt"), /sha256sum -c -/);
      assert.match(downloadScript("bkt"), /sort \| tail -n 1/, "the newest dump when none is named");
    });

    it("creates only missing DynamoDB tables, with the catalog's keys and capacity", () => {
      const script = createTablesScript(
        "http://ddb:8000",
        [{ name: "orders", hashKey: "order_id", readCapacity: 5, writeCapacity: 2 }],
        "PROVISIONED",
      );
      assert.match(
        script,
        /describe-table --table-name orders >\/dev\/null 2>&1 \|\| \$ddb create-table --table-name orders/,
      );
      assert.match(script, /AttributeName=order_id,KeyType=HASH/);
      assert.match(script, /ReadCapacityUnits=5,WriteCapacityUnits=2/);
      assert.match(createTablesScript("http://ddb:8000", [], "PAY_PER_REQUEST"), /tables ready/);
    });

    it("keeps a quarter of Redis's memory limit for overhead", () => {
      assert.equal(redisMaxMemoryBytes(256), 201326592);
    });

    it("refuses options the kubernetes stores do not support", () => {
      assert.throws(
        () => validateKubernetesStoreArgs({ engine: "redis", replicas: 1 }),
        /kubernetes redis is a single instance/,
      );
      assert.throws(
        () => validateKubernetesStoreArgs({ engine: "redis", kubernetes: { backup: { bucket: "b" } } }),
        /backup is for mysql only/,
      );
      assert.throws(
        () => validateKubernetesStoreArgs({ engine: "mysql", kubernetes: { volumeGiB: 0.5 } }),
        /volumeGiB/,
      );
    });
  });

  it("maps ActiveMQ's JMX beans to the metric names the alerts use", () => {
    const config = parse(jmxExporterConfig()) as { hostPort: string; rules: { name: string }[] };
    assert.equal(config.hostPort, "127.0.0.1:1099");
    const names = config.rules.map((r) => r.name);
    for (const n of ["activemq_queue_size", "activemq_queue_consumer_count"]) assert.ok(names.includes(n), n);
  });

  describe("fleet validation", () => {
    const service = (over: Partial<KubernetesFleetService> = {}): KubernetesFleetService => ({
      name: "web",
      system: "s",
      kind: "service",
      image: "battle-ready/web:abc123",
      port: 8080,
      readinessPath: "/readyz",
      livenessPath: "/healthz",
      metricsPath: "/metrics",
      cpu: 100,
      memory: 128,
      env: [],
      scaling: { min: 1, max: 2, cpuTarget: 60 },
      ...over,
    });
    const fleet = (s: KubernetesFleetService) =>
      validateKubernetesFleetArgs({ namespace: "n", services: [s] });

    it("accepts a pinned image and referenced secrets", () => {
      assert.doesNotThrow(() =>
        fleet(
          service({
            env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }],
          }),
        ),
      );
    });

    it("refuses latest or untagged images, literal secrets and unknown callees", () => {
      assert.throws(() => fleet(service({ image: "battle-ready/web:latest" })), /version tag or digest/);
      assert.throws(() => fleet(service({ image: "battle-ready/web" })), /version tag or digest/);
      assert.throws(
        () => fleet(service({ env: [{ name: "DB_PASSWORD", value: "hunter2" }] })),
        /looks secret/,
      );
      assert.throws(() => fleet(service({ calls: ["nobody"] })), /calls nobody, which is not in the fleet/);
    });
  });
});
