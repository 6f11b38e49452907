import { type Manifest, toManifest } from "../../platform/kubernetes/manifest";
import { evaluateStack, type RecordedResource, reveal } from "../harness/pulumi-mocks";

export interface LocalClusterRun {
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Every Kubernetes object the program would apply. */
  manifests: Manifest[];
}

let cached: Promise<LocalClusterRun> | undefined;

/** `index.ts` evaluated once per test process with Pulumi.local-cluster.yaml, and its manifests. */
export function localClusterRun(): Promise<LocalClusterRun> {
  cached ??= evaluateStack("local-cluster").then((run) => ({
    resources: run.resources,
    outputs: run.outputs,
    manifests: run.resources.map((r) => toManifest(r, reveal)).filter((m): m is Manifest => m !== undefined),
  }));
  return cached;
}

/** The manifests of one kind. */
export function kind(manifests: Manifest[], k: string): Manifest[] {
  return manifests.filter((m) => m.kind === k);
}
