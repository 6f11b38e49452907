import assert from "node:assert/strict";
import {
  hpaTargetsHaveNoReplicas,
  imagesPinned,
  networkPoliciesSelectPods,
  pdbWithinHpaMinimum,
  probesSetAndPortsMatch,
  resourcesSet,
  restrictedSecurityContext,
  runChecks,
  selectorMatchesTemplate,
  selects,
  servicesTargetPods,
} from "../../platform/kubernetes/checks";
import type { Manifest } from "../../platform/kubernetes/manifest";

const NS = "apps";
const labels = { "app.kubernetes.io/name": "web" };

/** A Deployment every check accepts; each test breaks one thing. */
function deployment(): Manifest {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: NS, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "web",
              image: "registry/web:1.2.3",
              ports: [{ name: "http", containerPort: 8080 }],
              readinessProbe: { httpGet: { path: "/readyz", port: "http" } },
              livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
              resources: {
                requests: { cpu: "100m", memory: "64Mi" },
                limits: { cpu: "200m", memory: "128Mi" },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                readOnlyRootFilesystem: true,
              },
            },
          ],
        },
      },
    },
  };
}

type Container = Record<string, unknown>;
const container = (m: Manifest) =>
  (m.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0]!;

const hpa = (minReplicas: number, target = "web"): Manifest => ({
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name: "web", namespace: NS },
  spec: {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target },
    minReplicas,
    maxReplicas: 4,
  },
});
const pdb = (minAvailable: number): Manifest => ({
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name: "web", namespace: NS },
  spec: { selector: { matchLabels: labels }, minAvailable },
});
const service = (selector: Record<string, string>): Manifest => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: NS },
  spec: { selector, ports: [{ port: 80, targetPort: "http" }] },
});
const policy = (podSelector: Record<string, unknown>): Manifest => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "web", namespace: NS },
  spec: { podSelector, policyTypes: ["Ingress"] },
});

describe("kubernetes checks", () => {
  it("accept a well-formed set of objects", () => {
    assert.deepEqual(
      runChecks([deployment(), hpa(2), pdb(1), service(labels), policy({ matchLabels: labels }), policy({})]),
      [],
    );
  });

  it("probes: flags a missing probe and a probe on an undeclared port", () => {
    const noReadiness = deployment();
    delete container(noReadiness).readinessProbe;
    assert.match(probesSetAndPortsMatch([noReadiness])[0]!.message, /no readinessProbe/);
    const wrongPort = deployment();
    container(wrongPort).livenessProbe = { httpGet: { path: "/healthz", port: 9999 } };
    assert.match(probesSetAndPortsMatch([wrongPort])[0]!.message, /livenessProbe port 9999 is not a port/);
  });

  it("resources: flags a container without a memory limit", () => {
    const bad = deployment();
    container(bad).resources = { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1" } };
    assert.deepEqual(
      resourcesSet([bad]).map((f) => f.message),
      ["web: no memory limits"],
    );
  });

  it("security context: flags each departure from the restricted profile", () => {
    const bad = deployment();
    container(bad).securityContext = { allowPrivilegeEscalation: true, capabilities: { drop: ["NET_RAW"] } };
    (bad.spec as { template: { spec: Record<string, unknown> } }).template.spec.securityContext = {
      runAsUser: 0,
    };
    const messages = restrictedSecurityContext([bad]).map((f) => f.message);
    for (const expected of [
      /allowPrivilegeEscalation/,
      /drop lacks ALL/,
      /runAsNonRoot/,
      /uid 0/,
      /seccompProfile/,
      /root filesystem is writable/,
    ])
      assert.ok(
        messages.some((m) => expected.test(m)),
        `${expected} in ${messages}`,
      );
  });

  it("images: flags latest and untagged images", () => {
    const latest = deployment();
    container(latest).image = "registry/web:latest";
    const untagged = deployment();
    container(untagged).image = "localhost:5000/web";
    assert.equal(imagesPinned([latest, untagged]).length, 2);
    const digest = deployment();
    container(digest).image = "registry/web@sha256:abc";
    assert.deepEqual(imagesPinned([digest]), []);
  });

  it("selector: flags a selector that does not match the template's labels", () => {
    const bad = deployment();
    (bad.spec as Record<string, unknown>).selector = { matchLabels: { "app.kubernetes.io/name": "api" } };
    assert.equal(selectorMatchesTemplate([bad]).length, 1);
  });

  it("HPA: flags a Deployment with replicas under an HPA, and an HPA without a target", () => {
    const bad = deployment();
    (bad.spec as Record<string, unknown>).replicas = 3;
    assert.match(hpaTargetsHaveNoReplicas([bad, hpa(2)])[0]!.message, /sets replicas/);
    assert.match(hpaTargetsHaveNoReplicas([deployment(), hpa(2, "gone")])[0]!.message, /does not exist/);
  });

  it("PDB: flags minAvailable above the HPA's minReplicas", () => {
    assert.match(pdbWithinHpaMinimum([deployment(), hpa(2), pdb(3)])[0]!.message, /exceeds .* minReplicas 2/);
    assert.deepEqual(pdbWithinHpaMinimum([deployment(), hpa(2), pdb(2)]), []);
  });

  it("Service: flags a selector matching no workload's pods", () => {
    assert.equal(servicesTargetPods([deployment(), service({ "app.kubernetes.io/name": "api" })]).length, 1);
  });

  it("NetworkPolicy: flags a policy selecting no pods", () => {
    assert.equal(
      networkPoliciesSelectPods([deployment(), policy({ matchLabels: { app: "gone" } })]).length,
      1,
    );
    assert.equal(
      networkPoliciesSelectPods([policy({})]).length,
      1,
      "an empty namespace has no pods to select",
    );
  });

  it("selector matching understands matchExpressions", () => {
    const l = { app: "a", tier: "web" };
    assert.ok(selects({ matchExpressions: [{ key: "app", operator: "In", values: ["a", "b"] }] }, l));
    assert.ok(!selects({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["a"] }] }, l));
    assert.ok(selects({ matchExpressions: [{ key: "tier", operator: "Exists" }] }, l));
    assert.ok(!selects({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, l));
  });
});
