import assert from "node:assert/strict";
import { catalog } from "../../catalog";
import { MYSQL_CA_DIR } from "../../platform/kubernetes";
import type { Manifest } from "../../platform/kubernetes/manifest";
import { MYSQL_TLS_VARIABLES } from "../harness/mysql-tls-services";
import { kind, localClusterRun } from "./local-cluster-run";

interface PodSpec {
  containers: {
    name: string;
    env?: { name: string; value?: string }[];
    volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  }[];
  volumes?: { name: string; configMap?: { name: string } }[];
}

describe("kubernetes: every MySQL service verifies the in-cluster MariaDB's certificate", function () {
  this.timeout(120_000);
  let manifests: Manifest[];

  before(async () => {
    ({ manifests } = await localClusterRun());
  });

  it("gives each its TLS mode and the CA file, mounted from the data store's CA ConfigMap", () => {
    const mysqlServices = catalog.filter((s) => s.uses.mysql).map((s) => s.name);
    assert.deepEqual(mysqlServices.sort(), Object.keys(MYSQL_TLS_VARIABLES).sort());
    // The data store's CA ConfigMap (its ca.crt is the generated CA, unknown under mocks).
    const caMaps = new Set(
      kind(manifests, "ConfigMap")
        .filter(
          (m) =>
            m.metadata.labels?.["app.kubernetes.io/name"] === "mysql" &&
            String(m.metadata.name).endsWith("-ca"),
        )
        .map((m) => m.metadata.name),
    );
    assert.ok(caMaps.size > 0, "the MySQL data store publishes its CA in a ConfigMap");
    for (const [service, [modeVariable, caVariable]] of Object.entries(MYSQL_TLS_VARIABLES)) {
      const deployment = kind(manifests, "Deployment").find((m) => m.metadata.name === service);
      assert.ok(deployment, `${service} has a Deployment`);
      const pod = (deployment as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
      const container = pod.containers.find((c) => c.name === service) ?? pod.containers[0]!;
      const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
      assert.match(env[modeVariable] ?? "", /^verify-(identity|ca)$/, `${service}.${modeVariable}`);
      assert.equal(env[caVariable], `${MYSQL_CA_DIR}/ca.crt`, `${service}.${caVariable}`);
      const mount = container.volumeMounts?.find((m) => m.mountPath === MYSQL_CA_DIR);
      assert.ok(mount?.readOnly, `${service} mounts the CA read-only at ${MYSQL_CA_DIR}`);
      const volume = pod.volumes?.find((v) => v.name === mount.name);
      assert.ok(
        volume?.configMap && caMaps.has(volume.configMap.name),
        `${service}'s CA volume is the MySQL CA`,
      );
    }
  });
});
