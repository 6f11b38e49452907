import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** A stack's configuration as the Pulumi engine hands it to the program: flat `namespace:key` strings. */
export interface StackConfig {
  project: string;
  stack: string;
  /** Every key as `namespace:key`, values as the engine passes them (objects and numbers JSON-encoded). */
  values: Record<string, string>;
  /** Keys whose values are `secure:` in the stack file. */
  secretKeys: string[];
  secretsProvider?: string;
}

interface ProjectFile {
  name: string;
  runtime: unknown;
  config?: Record<
    string,
    { type?: string; default?: unknown; description?: string; items?: unknown; secret?: boolean }
  >;
}

export class StackFileError extends Error {
  override name = "StackFileError";
}

const DEFAULT_ROOT = join(__dirname, "..", "..");

export function readProjectFile(root = DEFAULT_ROOT): ProjectFile {
  const project = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
  if (!project?.name) throw new StackFileError("Pulumi.yaml: name is required");
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
    const problem = declarationProblem(declaration);
    if (problem) throw new StackFileError(`Pulumi.yaml: config ${key}: ${problem}`);
  }
  return project;
}

const CONFIG_TYPES = ["string", "integer", "boolean", "array"];

/** The engine's own checks of a project config type: a known type, and arrays name their items' type. */
function declarationProblem(declaration: unknown): string | undefined {
  if (!declaration || typeof declaration !== "object") return undefined; // a bare default value
  const { type, items } = declaration as { type?: unknown; items?: unknown };
  if (type === undefined) return undefined;
  if (typeof type !== "string" || !CONFIG_TYPES.includes(type))
    return `type must be one of ${CONFIG_TYPES.join(", ")} (got ${String(type)})`;
  if (type !== "array") return undefined;
  if (!items || typeof items !== "object")
    return "declares an array but does not specify the underlying type via the 'items' attribute";
  const problem = declarationProblem(items);
  return problem && `items: ${problem}`;
}

/** A placeholder for a secret the mocks cannot decrypt; recognisable, never a real value. */
export function secretPlaceholder(key: string): string {
  return `mock-secret(${key})`;
}

/**
 * Reads `Pulumi.<stack>.yaml` the way the engine does: namespaces bare keys with the project name,
 * applies the project's declared defaults, checks declared types, and marks `secure:` values secret
 * (replaced by placeholders: without the stack's secrets provider they cannot be decrypted here).
 */
export function loadStackConfig(stack: string, root = DEFAULT_ROOT): StackConfig {
  const project = readProjectFile(root);
  const file = `Pulumi.${stack}.yaml`;
  let doc: { config?: Record<string, unknown>; secretsprovider?: string } | null;
  try {
    doc = parse(readFileSync(join(root, file), "utf8"));
  } catch (error) {
    throw new StackFileError(`${file}: ${(error as Error).message}`);
  }
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  const namespaced = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);

  for (const [rawKey, declaration] of Object.entries(project.config ?? {})) {
    if (declaration && typeof declaration === "object" && "default" in declaration) {
      values[namespaced(rawKey)] = encode(declaration.default);
    }
  }
  for (const [rawKey, value] of Object.entries(doc?.config ?? {})) {
    const key = namespaced(rawKey);
    if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
      values[key] = secretPlaceholder(key);
      secretKeys.push(key);
      continue;
    }
    values[key] = encode(value);
  }
  for (const [rawKey, declaration] of Object.entries(project.config ?? {})) {
    const key = namespaced(rawKey);
    const value = values[key];
    if (value === undefined || secretKeys.includes(key) || !declaration?.type) continue;
    const problem = typeProblem(declaration.type, value);
    if (problem) throw new StackFileError(`${file}: config ${key}: ${problem}`);
  }
  return { project: project.name, stack, values, secretKeys, secretsProvider: doc?.secretsprovider };
}

function encode(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function typeProblem(type: string, value: string): string | undefined {
  switch (type) {
    case "string":
      return undefined;
    case "integer":
      return /^-?\d+$/.test(value) ? undefined : `must be an integer (got ${value})`;
    case "boolean":
      return value === "true" || value === "false" ? undefined : `must be true or false (got ${value})`;
    case "array":
      return value.startsWith("[") ? undefined : `must be a list (got ${value})`;
    default:
      return undefined;
  }
}
