import assert from "node:assert/strict";
import { KubernetesDataStore, type KubernetesStoreOptions } from "../../components/data-store/kubernetes";
import type { KubernetesMysqlTransforms } from "../../components/data-store/kubernetes-mysql";
import type { KubernetesRedisTransforms } from "../../components/data-store/kubernetes-redis";
import { KubernetesObservabilityStack } from "../../components/observability-stack/kubernetes";
import { KubernetesQueueBroker } from "../../components/queue-broker/kubernetes";
import { type RecordedResource, runUnderMocks, single } from "../harness/pulumi-mocks";

const PASSWORD = "random:index/randomPassword:RandomPassword";

function metadataOf(r: RecordedResource): { name?: string; annotations?: Record<string, string> } {
  return r.inputs.metadata as { name?: string; annotations?: Record<string, string> };
}

describe("kubernetes components: transform hooks on the children that lacked one", () => {
  it("DataStore (mysql): the passwords, TLS keys and certificates, TLS Secret and CA ConfigMap", async () => {
    const transform: KubernetesStoreOptions["transform"] & KubernetesMysqlTransforms = {
      password: { length: 48 },
      privateKey: { ecdsaCurve: "P384" },
      caCert: (args) => void Object.assign(args, { validityPeriodHours: 24 * 365 * 10 }),
      certRequest: (args, _opts, name) => void Object.assign(args, { dnsNames: [`${name}.example.test`] }),
      serverCert: { earlyRenewalHours: 24 * 60 },
      tlsSecret: (args) => void Object.assign(args.metadata as object, { annotations: { reloader: "on" } }),
      configMap: (args) => void Object.assign(args.metadata as object, { annotations: { shared: "yes" } }),
    };
    const { resources } = await runUnderMocks(() => {
      new KubernetesDataStore("mysql", {
        engine: "mysql",
        databases: ["orders"],
        kubernetes: { namespace: "ns", transform },
      });
    });
    const passwords = resources.filter((r) => r.type === PASSWORD);
    assert.equal(passwords.length, 4);
    for (const p of passwords) assert.equal(p.inputs.length, 48, p.name);
    const keys = resources.filter((r) => r.type === "tls:index/privateKey:PrivateKey");
    assert.deepEqual(keys.map((k) => [k.name, k.inputs.ecdsaCurve]).sort(), [
      ["mysql-ca", "P384"],
      ["mysql-server", "P384"],
    ]);
    assert.equal(
      single(resources, "tls:index/selfSignedCert:SelfSignedCert").inputs.validityPeriodHours,
      24 * 365 * 10,
    );
    assert.deepEqual(single(resources, "tls:index/certRequest:CertRequest").inputs.dnsNames, [
      "mysql-server.example.test",
    ]);
    assert.equal(
      single(resources, "tls:index/locallySignedCert:LocallySignedCert").inputs.earlyRenewalHours,
      24 * 60,
    );
    assert.deepEqual(metadataOf(single(resources, "kubernetes:core/v1:Secret", "mysql-tls")).annotations, {
      reloader: "on",
    });
    const credentials = single(resources, "kubernetes:core/v1:Secret", "mysql-credentials");
    assert.equal(metadataOf(credentials).annotations, undefined, "the credentials Secret has its own hook");
    assert.deepEqual(metadataOf(single(resources, "kubernetes:core/v1:ConfigMap", "mysql-ca")).annotations, {
      shared: "yes",
    });
  });

  it("DataStore (redis): the AUTH password", async () => {
    const transform: KubernetesStoreOptions["transform"] & KubernetesRedisTransforms = {
      password: { length: 64 },
    };
    const { resources } = await runUnderMocks(() => {
      new KubernetesDataStore("cache", { engine: "redis", kubernetes: { transform } });
    });
    assert.equal(single(resources, PASSWORD, "cache-auth").inputs.length, 64);
  });

  it("QueueBroker: the application and web-console passwords", async () => {
    const { resources } = await runUnderMocks(() => {
      new KubernetesQueueBroker("mq", {
        queues: ["q"],
        kubernetes: {
          transform: {
            password: (args, _opts, name) =>
              void Object.assign(args, { length: name.endsWith("-web") ? 40 : 50 }),
          },
        },
      });
    });
    assert.equal(single(resources, PASSWORD, "mq-app").inputs.length, 50);
    assert.equal(single(resources, PASSWORD, "mq-web").inputs.length, 40);
  });

  it("ObservabilityStack: Grafana's admin password and its Secret", async () => {
    const { resources } = await runUnderMocks(() => {
      new KubernetesObservabilityStack("obs", {
        namePrefix: "battle-ready-test",
        alertDefinitions: [],
        systems: [],
        namespace: "monitoring",
        appNamespace: "apps",
        services: [],
        exporters: [],
        transform: {
          password: { length: 40 },
          secret: (args) =>
            void Object.assign(args.metadata as object, { name: "grafana-admin-credentials" }),
        },
      });
    });
    assert.equal(single(resources, PASSWORD, "obs-grafana-admin").inputs.length, 40);
    const secret = single(resources, "kubernetes:core/v1:Secret", "obs-grafana-admin");
    assert.equal(metadataOf(secret).name, "grafana-admin-credentials");
  });
});
