/**
 * Kubernetes manifests from recorded Pulumi inputs, and their validation against the Kubernetes
 * OpenAPI schemas (kubernetes-models) and the Prometheus operator's CRDs
 * (@kubernetes-models/prometheus-operator), as strict as the API server: types and required fields
 * by the packages' validators, and no field the schema does not declare (strict-fields.ts). Both
 * packages are ES modules: load them once with `loadSchemaValidators()`.
 */
import { loadStrictFields } from "./strict-fields";

/** A Kubernetes object as `kubectl apply` would receive it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> } & Record<string, unknown>;
  [field: string]: unknown;
}

/** A recorded resource as the mock engine sees it (type token, logical name, inputs). */
export interface RecordedInputs {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * The manifest a `kubernetes:<group>/<version>:<Kind>` resource would apply, with secret wrappers
 * unwrapped by `reveal` and a logical name standing in for an auto-generated `metadata.name`.
 * Undefined for anything that is not a Kubernetes object (Helm releases, providers, components).
 */
export function toManifest(
  r: RecordedInputs,
  reveal: (v: unknown) => unknown = (v) => v,
): Manifest | undefined {
  if (!r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:helm.sh/")) return undefined;
  const inputs = reveal(r.inputs) as Record<string, unknown>;
  if (typeof inputs.apiVersion !== "string" || typeof inputs.kind !== "string") return undefined;
  const metadata = { ...((inputs.metadata as Manifest["metadata"]) ?? {}) };
  if (!metadata.name) metadata.name = r.name;
  return dropUndefined({ ...inputs, metadata }) as Manifest;
}

/** Removes undefined members (the JSON an API server receives has none). */
export function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value && typeof value === "object" && value.constructor === Object)
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, dropUndefined(v)]),
    );
  return value;
}

type ModelClass = new (data: unknown) => { validate(): void };
type ModelModule = Record<string, Record<string, ModelClass>>;

export interface SchemaValidators {
  /**
   * Throws when the manifest is invalid, with the schema's message or one line per unknown field
   * (as `unknownFields` words them), each line starting `Kind/name: `; returns false for an
   * unknown kind.
   */
  validate(manifest: Manifest): boolean;
  /**
   * The fields the manifest's schema does not declare, which the API server's strict field
   * validation (server-side apply) rejects, e.g.
   * `Deployment/web: spec.template.spec.containers[0].bogus: unknown field`.
   */
  unknownFields(manifest: Manifest): string[];
}

/** `Deployment/buffs-dashboard`: how a validation message names its object. */
export function manifestLabel(manifest: Manifest): string {
  return `${manifest.kind}/${manifest.metadata.name}`;
}

/** `networking.k8s.io` → `networkingK8sIo`, as kubernetes-models names its group modules. */
export function groupModuleName(group: string): string {
  return group.replace(/\.([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Loads the validators of kubernetes-models and the Prometheus operator's models, and the strict pass. */
export async function loadSchemaValidators(): Promise<SchemaValidators> {
  const core = (await import("kubernetes-models")) as unknown as Record<string, ModelModule>;
  const prometheus = (await import("@kubernetes-models/prometheus-operator")) as unknown as Record<
    string,
    ModelModule
  >;
  const lookup = (apiVersion: string, kind: string): ModelClass | undefined => {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    const module =
      group === "" ? core.v1 : (core[groupModuleName(group!)] ?? prometheus[groupModuleName(group!)]);
    const versioned = group === "" ? (module as unknown as Record<string, ModelClass>) : module?.[version!];
    return (versioned as Record<string, ModelClass> | undefined)?.[kind];
  };
  const strict = await loadStrictFields();
  const unknownFields = (manifest: Manifest): string[] =>
    (strict(manifest) ?? []).map((field) => `${manifestLabel(manifest)}: ${field}: unknown field`);
  return {
    validate(manifest) {
      const Model = lookup(manifest.apiVersion, manifest.kind);
      if (!Model) return false;
      try {
        new Model(manifest).validate();
      } catch (error) {
        throw new Error(`${manifestLabel(manifest)}: ${(error as Error).message}`, { cause: error });
      }
      const unknown = unknownFields(manifest);
      if (unknown.length > 0) throw new Error(unknown.join("\n"));
      return true;
    },
    unknownFields,
  };
}
