/**
 * The API server's strict field validation (what server-side apply, and so Pulumi's Kubernetes
 * provider, gets): every field of an object must be declared by its schema. The kubernetes-models
 * validators check types and required fields but let unknown fields through, so this pass walks a
 * manifest against the same definitions, as the packages' type declarations carry them: the
 * `.d.ts` files kubernetes-models and @kubernetes-models/prometheus-operator generate from the
 * Kubernetes OpenAPI definitions and the operator's CRD schemas (the packages ship no OpenAPI JSON,
 * only these and the compiled validators).
 *
 * How a declaration maps back to the schema:
 * - an interface or type literal with properties is an object with those `properties` (a `$ref`
 *   is an imported interface; `extends` brings in the inherited ones, e.g. apiVersion/kind);
 * - a string index signature is `additionalProperties` (labels, annotations, ConfigMap and
 *   Secret data): any key, each value checked against the index type;
 * - `any`, `unknown` or an object type with no properties and no index signature is a schema
 *   that accepts anything (`x-kubernetes-preserve-unknown-fields`, RawExtension, JSON, FieldsV1);
 * - `T[]` is an array of `T`; a union (`IntOrString`, `T | null`) checks an object value against
 *   the union's object members.
 *
 * TypeScript is a development dependency: load this with `loadStrictFields()`, which imports it.
 */
import fs from "node:fs";
import path from "node:path";
import type * as TS from "typescript";

/** An unknown field: the path of the field in the manifest (`spec.containers[0].bogus`). */
export type UnknownFields = (manifest: { apiVersion: string; kind: string }) => string[] | undefined;

/** The declaration file of a kind in one of the model packages (its real path, as the
 * compiler names it), or undefined when none has it.
 */
export function declarationFile(
  apiVersion: string,
  kind: string,
  modelsRoot: string,
  prometheusRoot: string,
): string | undefined {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const candidates =
    group === ""
      ? [path.join(modelsRoot, version!, `${kind}.d.ts`)]
      : [
          path.join(modelsRoot, group!, version!, `${kind}.d.ts`),
          path.join(prometheusRoot, group!, version!, `${kind}.d.ts`),
        ];
  const found = candidates.find((f) => fs.existsSync(f));
  return found && fs.realpathSync(found);
}

/** `a.b[0].c` from the segments of a path. */
export function fieldPath(segments: (string | number)[]): string {
  return segments
    .map((s, i) =>
      typeof s === "number"
        ? `[${s}]`
        : /^[A-Za-z_][\w-]*$/.test(s)
          ? i === 0
            ? s
            : `.${s}`
          : `[${JSON.stringify(s)}]`,
    )
    .join("");
}

/**
 * Loads TypeScript and returns the strict pass: for a manifest, the paths of the fields its schema
 * does not declare ([] when there are none), or undefined when no schema declares its kind. A kind's
 * declarations are compiled the first time it is asked for.
 */
export async function loadStrictFields(): Promise<UnknownFields> {
  const ts = (await import("typescript")).default;
  const options: TS.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ["lib.es5.d.ts"],
  };
  const resolve = (specifier: string): string => {
    const resolved = ts.resolveModuleName(specifier, __filename, options, ts.sys).resolvedModule;
    if (!resolved) throw new Error(`cannot resolve the declarations of ${specifier}`);
    return path.dirname(resolved.resolvedFileName);
  };
  const modelsRoot = resolve("kubernetes-models");
  const prometheusRoot = resolve("@kubernetes-models/prometheus-operator");

  // One host whose parsed files outlive each program: adding a kind parses only its new files.
  const host = ts.createCompilerHost(options);
  const parsed = new Map<string, TS.SourceFile | undefined>();
  const parse = host.getSourceFile;
  host.getSourceFile = (fileName, ...rest) => {
    if (!parsed.has(fileName)) parsed.set(fileName, parse.call(host, fileName, ...rest));
    return parsed.get(fileName);
  };
  let program: TS.Program | undefined;
  const roots: string[] = [];
  const kindTypes = new Map<string, TS.Type | undefined>();

  const kindType = (apiVersion: string, kind: string): TS.Type | undefined => {
    const key = `${apiVersion} ${kind}`;
    if (kindTypes.has(key)) return kindTypes.get(key);
    const file = declarationFile(apiVersion, kind, modelsRoot, prometheusRoot);
    let type: TS.Type | undefined;
    if (file) {
      if (!roots.includes(file)) {
        roots.push(file);
        program = ts.createProgram(roots, options, host);
        kindTypes.clear();
      }
      const checker = program!.getTypeChecker();
      const source = program!.getSourceFile(file)!;
      const declaration = source.statements.find(
        (s): s is TS.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === `I${kind}`,
      );
      type = declaration && checker.getTypeAtLocation(declaration.name);
    }
    kindTypes.set(key, type);
    return type;
  };

  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);

  return (manifest) => {
    const root = kindType(manifest.apiVersion, manifest.kind);
    if (!root) return undefined;
    const checker = program!.getTypeChecker();
    const unknown: string[] = [];

    /** Checks `value` against the schema that any of `types` (the members of a union) declares. */
    const walk = (value: unknown, types: readonly TS.Type[], at: (string | number)[]): void => {
      if (value === null || value === undefined) return;
      const members = types.flatMap((t) => (t.isUnion() ? t.types : [t]));
      if (members.some((m) => m.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return;
      const arrays = members.filter((m) => checker.isArrayType(m));
      if (Array.isArray(value)) {
        const items = arrays.flatMap((a) => checker.getTypeArguments(a as TS.TypeReference).slice(0, 1));
        if (items.length > 0) for (const [i, item] of value.entries()) walk(item, items, [...at, i]);
        return;
      }
      if (!isRecord(value)) return;
      const objects = members.filter((m) => m.flags & ts.TypeFlags.Object && !arrays.includes(m));
      if (objects.length === 0) return; // a type mismatch: the schema validators report those
      const declared = new Map<string, TS.Type[]>();
      const indexTypes: TS.Type[] = [];
      for (const o of objects) {
        for (const p of checker.getPropertiesOfType(o))
          declared.set(p.name, [...(declared.get(p.name) ?? []), checker.getTypeOfSymbol(p)]);
        const index = checker.getIndexTypeOfType(o, ts.IndexKind.String);
        if (index) indexTypes.push(index);
      }
      if (declared.size === 0 && indexTypes.length === 0) return; // a schema that accepts anything
      for (const [key, child] of Object.entries(value)) {
        const childTypes = declared.get(key) ?? indexTypes;
        if (childTypes.length === 0) unknown.push(fieldPath([...at, key]));
        else walk(child, childTypes, [...at, key]);
      }
    };

    walk(manifest, [root], []);
    return unknown;
  };
}
