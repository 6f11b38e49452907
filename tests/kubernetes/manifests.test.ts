import assert from "node:assert/strict";
import { runChecks } from "../../platform/kubernetes/checks";
import {
  loadSchemaValidators,
  type Manifest,
  type SchemaValidators,
} from "../../platform/kubernetes/manifest";
import { localClusterRun } from "./local-cluster-run";

describe("kubernetes manifests of the local-cluster stack", function () {
  this.timeout(120_000);
  let manifests: Manifest[];
  let validators: SchemaValidators;

  before(async () => {
    validators = await loadSchemaValidators();
    ({ manifests } = await localClusterRun());
  });

  it("records the objects of every kind the platform needs", () => {
    const kinds = new Set(manifests.map((m) => m.kind));
    for (const k of [
      "Namespace",
      "Deployment",
      "StatefulSet",
      "Service",
      "HorizontalPodAutoscaler",
      "PodDisruptionBudget",
      "NetworkPolicy",
      "Ingress",
      "CronJob",
      "Job",
      "Secret",
      "ConfigMap",
      "ServiceAccount",
      "ServiceMonitor",
      "PrometheusRule",
    ])
      assert.ok(kinds.has(k), `no ${k}`);
  });

  it("every object is valid against the Kubernetes OpenAPI schema or its CRD's schema, with no unknown field", () => {
    const unknown: string[] = [];
    const invalid: string[] = [];
    for (const m of manifests) {
      try {
        if (!validators.validate(m)) unknown.push(`${m.apiVersion} ${m.kind}`);
      } catch (error) {
        invalid.push((error as Error).message);
      }
    }
    assert.deepEqual(invalid, []);
    assert.deepEqual(
      manifests.flatMap((m) => validators.unknownFields(m)),
      [],
      "what server-side apply's strict field validation would refuse",
    );
    assert.deepEqual(unknown, [], "every kind has a schema");
    assert.ok(manifests.length > 100, `validated ${manifests.length} objects`);
  });

  it("the validators reject what the API server would reject", () => {
    const deployment = manifests.find((m) => m.kind === "Deployment")!;
    const broken = structuredClone(deployment) as Manifest & {
      spec: { template: { spec: { containers: unknown[] } } };
    };
    broken.spec.template.spec.containers = [{ name: "x", image: 42 }];
    assert.throws(() => validators.validate(broken), /image must be string/);
    const monitor = manifests.find((m) => m.kind === "ServiceMonitor")!;
    assert.throws(() => validators.validate({ ...monitor, spec: { endpoints: "all" } }), /endpoints/);
    const rule = manifests.find((m) => m.kind === "PrometheusRule")!;
    assert.throws(() => validators.validate({ ...rule, spec: { groups: [{ rules: [] }] } }), /name/);
  });

  it("the validators reject an unknown field in one of our manifests, naming its path", () => {
    const withSecret = manifests.find(
      (m) =>
        m.kind === "Deployment" &&
        (
          m as Manifest & {
            spec: { template: { spec: { containers: { env?: { valueFrom?: object }[] }[] } } };
          }
        ).spec.template.spec.containers[0]!.env?.some((e) => e.valueFrom && "secretKeyRef" in e.valueFrom),
    )!;
    const leaky = structuredClone(withSecret) as Manifest & {
      spec: { template: { spec: { containers: { env: { valueFrom?: { secretKeyRef?: object } }[] }[] } } };
    };
    const env = leaky.spec.template.spec.containers[0]!.env;
    const i = env.findIndex((e) => e.valueFrom?.secretKeyRef);
    env[i]!.valueFrom!.secretKeyRef = { ...env[i]!.valueFrom!.secretKeyRef, password: "hunter2" };
    const message = `Deployment/${withSecret.metadata.name}: spec.template.spec.containers[0].env[${i}].valueFrom.secretKeyRef.password: unknown field`;
    assert.throws(() => validators.validate(leaky), { message });
  });

  it("passes every kube-linter / Polaris / kube-score style check", () => {
    assert.deepEqual(runChecks(manifests), []);
  });
});
