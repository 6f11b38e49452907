import assert from "node:assert/strict";
import {
  loadSchemaValidators,
  type Manifest,
  type SchemaValidators,
} from "../../platform/kubernetes/manifest";
import { fieldPath } from "../../platform/kubernetes/strict-fields";

/** A Deployment shaped like the platform's: four env entries, the fourth from a Secret. */
function deployment(secretKeyRef: Record<string, unknown>): Manifest {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "buffs-dashboard",
      namespace: "buffs",
      labels: { app: "buffs-dashboard", "app.kubernetes.io/part-of": "buffs" },
      annotations: { "pulumi.com/skipAwait": "true", "anything/at-all": "x" },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "buffs-dashboard" } },
      template: {
        metadata: { labels: { app: "buffs-dashboard" } },
        spec: {
          containers: [
            {
              name: "buffs-dashboard",
              image: "registry.local/buffs-dashboard:abc",
              ports: [{ containerPort: 8080, name: "http" }],
              resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
              readinessProbe: { httpGet: { path: "/ready", port: "http" } },
              env: [
                { name: "PORT", value: "8080" },
                { name: "NODE_ENV", value: "production" },
                { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                { name: "MYSQL_PASSWORD", valueFrom: { secretKeyRef } },
              ],
            },
          ],
        },
      },
    },
  };
}

describe("kubernetes manifests: strict field validation (unknown fields)", function () {
  this.timeout(60_000);
  let validators: SchemaValidators;

  before(async () => {
    validators = await loadSchemaValidators();
  });

  it("rejects an unknown nested field with its path, as server-side apply does", () => {
    const leaky = deployment({ name: "mysql-app", key: "password", password: "hunter2" });
    const expected =
      "Deployment/buffs-dashboard: spec.template.spec.containers[0].env[3].valueFrom.secretKeyRef.password: unknown field";
    assert.deepEqual(validators.unknownFields(leaky), [expected]);
    assert.throws(() => validators.validate(leaky), { message: expected });
  });

  it("names every unknown field, at any depth, the top level and metadata included", () => {
    const m = deployment({ name: "mysql-app", key: "password" }) as Manifest & {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    m.spec.template.spec.containers[0]!.bogusField = true;
    (m.metadata as Record<string, unknown>).labelz = { a: "b" };
    m.extra = 1;
    assert.deepEqual(validators.unknownFields(m), [
      "Deployment/buffs-dashboard: metadata.labelz: unknown field",
      "Deployment/buffs-dashboard: spec.template.spec.containers[0].bogusField: unknown field",
      "Deployment/buffs-dashboard: extra: unknown field",
    ]);
  });

  it("accepts a valid Deployment: labels, annotations, selectors and resource maps take any key", () => {
    const m = deployment({ name: "mysql-app", key: "password", optional: false });
    assert.deepEqual(validators.unknownFields(m), []);
    assert.equal(validators.validate(m), true);
  });

  it("accepts ConfigMap and Secret data of any keys, and rejects a misspelt top-level field", () => {
    const configMap: Manifest = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "grafana-dashboards", labels: { grafana_dashboard: "1" } },
      data: { "buffs.json": "{}", "call-events.json": "{}" },
      binaryData: { "logo.png": "iVBORw0KGgo=" },
    };
    assert.equal(validators.validate(configMap), true);
    const secret: Manifest = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "mysql-app", annotations: { "x/y": "z" } },
      type: "Opaque",
      stringData: { password: "p", username: "u" },
    };
    assert.equal(validators.validate(secret), true);
    assert.deepEqual(validators.unknownFields({ ...secret, stringdata: { a: "b" } }), [
      "Secret/mysql-app: stringdata: unknown field",
    ]);
  });

  it("checks the Prometheus operator's CRDs too: ServiceMonitor and PrometheusRule", () => {
    const monitor: Manifest = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "buffs-server", labels: { release: "kube-prometheus-stack" } },
      spec: {
        selector: { matchLabels: { app: "buffs-server" } },
        endpoints: [{ port: "http", path: "/metrics", interval: "30s", scrapeEvery: "30s" }],
      },
    };
    assert.deepEqual(validators.unknownFields(monitor), [
      "ServiceMonitor/buffs-server: spec.endpoints[0].scrapeEvery: unknown field",
    ]);
    const rule: Manifest = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: "platform-alerts" },
      spec: {
        groups: [
          {
            name: "platform",
            rules: [
              {
                alert: "HighErrorRate",
                expr: "rate(x[5m]) > 1",
                for: "5m",
                labels: { severity: "page" },
                annotations: { summary: "errors", runbook: "docs/ops.md" },
              },
            ],
          },
        ],
      },
    };
    assert.equal(validators.validate(rule), true);
    const broken = structuredClone(rule) as Manifest & { spec: { groups: { rules: object[] }[] } };
    broken.spec.groups[0]!.rules[0] = { ...broken.spec.groups[0]!.rules[0], severity: "page" };
    assert.deepEqual(validators.unknownFields(broken), [
      "PrometheusRule/platform-alerts: spec.groups[0].rules[0].severity: unknown field",
    ]);
  });

  it("lets through what the schema leaves open (RawExtension, JSON), and reports no kind it has no schema for", () => {
    const crd: Manifest = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { kind: "Widget", plural: "widgets" },
        scope: "Namespaced",
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", default: { anything: { goes: [1] } } } },
          },
        ],
      },
    };
    assert.deepEqual(validators.unknownFields(crd), []);
    const widget: Manifest = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, x: 1 };
    assert.deepEqual(validators.unknownFields(widget), []);
    assert.equal(validators.validate(widget), false);
  });

  it("words paths as kubectl does", () => {
    assert.equal(fieldPath(["spec", "containers", 0, "env", 3, "name"]), "spec.containers[0].env[3].name");
    assert.equal(
      fieldPath(["metadata", "labels", "app.kubernetes.io/name"]),
      'metadata.labels["app.kubernetes.io/name"]',
    );
  });
});
