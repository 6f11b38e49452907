import type { Manifest } from "./manifest";

/**
 * Checks over a set of manifests in the spirit of kube-linter, Polaris and kube-score: each a
 * small pure function returning its findings (empty when the objects pass).
 */

export interface Finding {
  check: string;
  /** `Kind namespace/name` */
  object: string;
  message: string;
}

type Obj = Record<string, unknown>;
type Container = {
  name?: string;
  image?: string;
  ports?: { name?: string; containerPort?: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Obj; limits?: Obj };
  securityContext?: Obj & { capabilities?: { drop?: string[] }; seccompProfile?: { type?: string } };
};
type Probe = {
  httpGet?: { port?: number | string };
  tcpSocket?: { port?: number | string };
  exec?: unknown;
  grpc?: { port?: number };
};
type PodSpec = {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: Obj & { seccompProfile?: { type?: string } };
};

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

export function describe(m: Manifest): string {
  return `${m.kind} ${m.metadata.namespace ?? "default"}/${m.metadata.name}`;
}

/** The pod template of a workload (Deployment, StatefulSet, DaemonSet, Job, CronJob). */
export function podTemplate(m: Manifest): { labels: Record<string, string>; spec: PodSpec } | undefined {
  const spec = m.spec as Obj | undefined;
  const template =
    m.kind === "CronJob"
      ? ((((spec?.jobTemplate as Obj | undefined)?.spec as Obj | undefined)?.template as Obj | undefined) ??
        undefined)
      : (spec?.template as Obj | undefined);
  if (!template) return undefined;
  const metadata = (template.metadata as { labels?: Record<string, string> } | undefined) ?? {};
  return { labels: metadata.labels ?? {}, spec: (template.spec as PodSpec) ?? {} };
}

function workloadsOf(manifests: Manifest[]) {
  return manifests.filter((m) => WORKLOADS.has(m.kind) || m.kind === "Job" || m.kind === "CronJob");
}

/** A label selector (matchLabels and matchExpressions In/NotIn/Exists/DoesNotExist) against labels. */
export function selects(selector: Obj | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const matchLabels = (selector.matchLabels as Record<string, string> | undefined) ?? {};
  const expressions =
    (selector.matchExpressions as { key: string; operator: string; values?: string[] }[]) ?? [];
  return (
    Object.entries(matchLabels).every(([k, v]) => labels[k] === v) &&
    expressions.every((e) => {
      const value = labels[e.key];
      switch (e.operator) {
        case "In":
          return value !== undefined && (e.values ?? []).includes(value);
        case "NotIn":
          return value === undefined || !(e.values ?? []).includes(value);
        case "Exists":
          return value !== undefined;
        case "DoesNotExist":
          return value === undefined;
        default:
          return false;
      }
    })
  );
}

const probePort = (p: Probe) => p.httpGet?.port ?? p.tcpSocket?.port ?? p.grpc?.port;

/** Readiness and liveness probes on every long-running container, on a port the container declares. */
export function probesSetAndPortsMatch(manifests: Manifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of manifests.filter((x) => WORKLOADS.has(x.kind))) {
    for (const c of podTemplate(m)?.spec.containers ?? []) {
      const at = (message: string) =>
        findings.push({ check: "probes", object: describe(m), message: `${c.name}: ${message}` });
      for (const kind of ["readinessProbe", "livenessProbe"] as const) {
        const probe = c[kind];
        if (!probe) {
          at(`no ${kind}`);
          continue;
        }
        const port = probePort(probe);
        if (port === undefined) continue; // exec probes have no port
        const declared = (c.ports ?? []).some((p) => p.name === port || p.containerPort === port);
        if (!declared) at(`${kind} port ${port} is not a port of the container`);
      }
    }
  }
  return findings;
}

/** CPU and memory requests and limits on every container (init containers too). */
export function resourcesSet(manifests: Manifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of workloadsOf(manifests)) {
    const spec = podTemplate(m)?.spec;
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      for (const [side, fields] of [
        ["requests", c.resources?.requests],
        ["limits", c.resources?.limits],
      ] as const)
        for (const resource of ["cpu", "memory"])
          if (!fields?.[resource])
            findings.push({
              check: "resources",
              object: describe(m),
              message: `${c.name}: no ${resource} ${side}`,
            });
    }
  }
  return findings;
}

/** The Pod Security Standards' restricted profile, plus a read-only root filesystem, on every container. */
export function restrictedSecurityContext(manifests: Manifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of workloadsOf(manifests)) {
    const spec = podTemplate(m)?.spec ?? {};
    const pod = spec.securityContext ?? {};
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      const sc = c.securityContext ?? {};
      const at = (message: string) =>
        findings.push({ check: "security-context", object: describe(m), message: `${c.name}: ${message}` });
      if (sc.allowPrivilegeEscalation !== false) at("allowPrivilegeEscalation is not false");
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) at("capabilities.drop lacks ALL");
      if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) at("runAsNonRoot is not true");
      if ((sc.runAsUser ?? pod.runAsUser) === 0) at("runs as uid 0");
      if ((sc.seccompProfile?.type ?? pod.seccompProfile?.type) !== "RuntimeDefault")
        at("seccompProfile is not RuntimeDefault");
      if (sc.readOnlyRootFilesystem !== true) at("root filesystem is writable");
      if (sc.privileged === true) at("privileged");
    }
  }
  return findings;
}

/** Every image pinned to a tag or digest other than `latest`. */
export function imagesPinned(manifests: Manifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of workloadsOf(manifests)) {
    const spec = podTemplate(m)?.spec;
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      const image = c.image ?? "";
      const last = image.split("/").pop() ?? "";
      if (!image.includes("@") && (!last.includes(":") || last.endsWith(":latest")))
        findings.push({
          check: "image-tag",
          object: describe(m),
          message: `${c.name}: image ${image} is not pinned`,
        });
    }
  }
  return findings;
}

/** A workload's selector matches its own pod template's labels. */
export function selectorMatchesTemplate(manifests: Manifest[]): Finding[] {
  return manifests
    .filter((m) => WORKLOADS.has(m.kind))
    .filter(
      (m) => !selects((m.spec as Obj | undefined)?.selector as Obj | undefined, podTemplate(m)?.labels ?? {}),
    )
    .map((m) => ({
      check: "selector",
      object: describe(m),
      message: "selector does not match the template's labels",
    }));
}

function hpaTargets(manifests: Manifest[]): { hpa: Manifest; target?: Manifest }[] {
  return manifests
    .filter((m) => m.kind === "HorizontalPodAutoscaler")
    .map((hpa) => {
      const ref = (hpa.spec as Obj).scaleTargetRef as { kind: string; name: string };
      const target = manifests.find(
        (m) =>
          m.kind === ref.kind &&
          m.metadata.name === ref.name &&
          m.metadata.namespace === hpa.metadata.namespace,
      );
      return { hpa, target };
    });
}

/** No Deployment an HPA scales sets `replicas` (every apply would reset the HPA's count); every HPA has a target. */
export function hpaTargetsHaveNoReplicas(manifests: Manifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const { hpa, target } of hpaTargets(manifests)) {
    if (!target)
      findings.push({
        check: "hpa-target",
        object: describe(hpa),
        message: "scales a workload that does not exist",
      });
    else if ((target.spec as Obj).replicas !== undefined)
      findings.push({
        check: "hpa-replicas",
        object: describe(target),
        message: `sets replicas although ${describe(hpa)} scales it`,
      });
  }
  return findings;
}

/** A PodDisruptionBudget's minAvailable never exceeds the minReplicas of the HPA scaling its pods. */
export function pdbWithinHpaMinimum(manifests: Manifest[]): Finding[] {
  const findings: Finding[] = [];
  const scaled = hpaTargets(manifests).filter((x) => x.target);
  for (const pdb of manifests.filter((m) => m.kind === "PodDisruptionBudget")) {
    const spec = pdb.spec as Obj;
    const minAvailable = spec.minAvailable;
    if (typeof minAvailable !== "number") continue; // percentages and maxUnavailable scale with the count
    for (const { hpa, target } of scaled) {
      if (target!.metadata.namespace !== pdb.metadata.namespace) continue;
      if (!selects(spec.selector as Obj, podTemplate(target!)?.labels ?? {})) continue;
      const min = ((hpa.spec as Obj).minReplicas as number | undefined) ?? 1;
      if (minAvailable > min)
        findings.push({
          check: "pdb-hpa",
          object: describe(pdb),
          message: `minAvailable ${minAvailable} exceeds ${describe(hpa)} minReplicas ${min}: drains would block`,
        });
    }
  }
  return findings;
}

/** Every Service with a selector targets the pods of some workload in its namespace. */
export function servicesTargetPods(manifests: Manifest[]): Finding[] {
  const workloads = workloadsOf(manifests);
  return manifests
    .filter((m) => m.kind === "Service")
    .filter((s) => {
      const selector = (s.spec as Obj | undefined)?.selector as Record<string, string> | undefined;
      if (!selector || Object.keys(selector).length === 0) return false; // selector-less Services are manual
      return !workloads.some(
        (w) =>
          w.metadata.namespace === s.metadata.namespace &&
          selects({ matchLabels: selector }, podTemplate(w)?.labels ?? {}),
      );
    })
    .map((s) => ({ check: "service-pods", object: describe(s), message: "selects no pods of any workload" }));
}

/** Every NetworkPolicy selects some pods (an empty selector selects the whole namespace). */
export function networkPoliciesSelectPods(manifests: Manifest[]): Finding[] {
  const workloads = workloadsOf(manifests);
  return manifests
    .filter((m) => m.kind === "NetworkPolicy")
    .filter((p) => {
      const selector = ((p.spec as Obj | undefined)?.podSelector as Obj | undefined) ?? {};
      const empty =
        Object.keys(selector.matchLabels ?? {}).length === 0 &&
        ((selector.matchExpressions as unknown[]) ?? []).length === 0;
      const inNamespace = workloads.filter((w) => w.metadata.namespace === p.metadata.namespace);
      if (empty) return inNamespace.length === 0;
      return !inNamespace.some((w) => selects(selector, podTemplate(w)?.labels ?? {}));
    })
    .map((p) => ({ check: "network-policy-pods", object: describe(p), message: "selects no pods" }));
}

/** Every check, by name. */
export const CHECKS = {
  probesSetAndPortsMatch,
  resourcesSet,
  restrictedSecurityContext,
  imagesPinned,
  selectorMatchesTemplate,
  hpaTargetsHaveNoReplicas,
  pdbWithinHpaMinimum,
  servicesTargetPods,
  networkPoliciesSelectPods,
} as const;

export function runChecks(manifests: Manifest[]): Finding[] {
  return Object.values(CHECKS).flatMap((check) => check(manifests));
}
