import type { ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";

/** The two groups of the pack; each has its own enforcement level per stack. */
export type PolicyGroup = "free-tier" | "security";

/** Resource properties as a policy sees them (the engine's inputs, secrets unwrapped). */
// biome-ignore lint/suspicious/noExplicitAny: provider inputs are untyped JSON, checked field by field
export type Props = Record<string, any>;

/** A resource as a stack policy sees it. */
export interface StackResource {
  type: string;
  name: string;
  urn: string;
  props: Props;
}

/** A resource or a whole stack in an example the policy's own test runs. */
export interface Example {
  type: string;
  name?: string;
  urn?: string;
  props: Props;
}

/** The settings of one policy in a stack's policy config file (besides `enforcementLevel`). */
export interface PolicySettings {
  /** Deliberate, written-down exceptions: never silent, always with a reason. */
  exceptions?: { resource: string; reason: string }[];
  [setting: string]: unknown;
}

interface PolicyBase {
  /** Kebab-case, unique in the pack. */
  name: string;
  group: PolicyGroup;
  /** The public control this policy follows: a Checkov ID, a Security Hub FSBP control, a CIS item or a PSS field. */
  control: string;
  description: string;
  /** Allowances and switches, with their defaults; a stack's config file may override them. */
  defaults?: Record<string, unknown>;
  /** What the policy's test runs: each `violating` set must be flagged, each `compliant` set must pass. */
  examples: { violating: Example[][]; compliant: Example[][]; settings?: Record<string, unknown> };
}

/** Checks one resource at a time; returns the violation messages (none when compliant). */
export interface ResourcePolicy extends PolicyBase {
  kind: "resource";
  /** Type tokens the policy applies to, e.g. `aws:rds/instance:Instance`. */
  types: string[];
  check(props: Props, resource: { type: string; name: string }, settings: PolicySettings): string[];
}

/** Checks the whole stack at once (totals, counts, presence of something). */
export interface StackPolicy extends PolicyBase {
  kind: "stack";
  check(
    resources: StackResource[],
    settings: PolicySettings,
  ): { resource?: StackResource; message: string }[];
}

export type PlatformPolicy = ResourcePolicy | StackPolicy;

/** Messages for every listed condition that holds: `violations([cond, "msg"], ...)`. */
export function violations(...rules: [boolean, string][]): string[] {
  return rules.filter(([violated]) => violated).map(([, message]) => message);
}

function settingsOf(policy: PlatformPolicy, config: Record<string, unknown>): PolicySettings {
  return { ...policy.defaults, ...config };
}

function excepted(settings: PolicySettings, name: string, urn: string): boolean {
  return (settings.exceptions ?? []).some(
    (e) => e.reason?.trim() && (e.resource === name || e.resource === urn),
  );
}

/** The engine-facing validation of a resource policy (used by the PolicyPack and the in-process runner). */
export function validateResource(policy: ResourcePolicy) {
  return (args: ResourceValidationArgs, report: ReportViolation): void => {
    if (!policy.types.includes(args.type)) return;
    const settings = settingsOf(policy, args.getConfig<Record<string, unknown>>());
    if (excepted(settings, args.name, args.urn)) return;
    for (const message of policy.check(args.props, { type: args.type, name: args.name }, settings))
      report(message);
  };
}

/** The engine-facing validation of a stack policy. */
export function validateStack(policy: StackPolicy) {
  return (args: StackValidationArgs, report: ReportViolation): void => {
    const settings = settingsOf(policy, args.getConfig<Record<string, unknown>>());
    const resources = args.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.props }));
    for (const v of policy.check(resources, settings)) {
      if (v.resource && excepted(settings, v.resource.name, v.resource.urn)) continue;
      report(v.message, v.resource?.urn);
    }
  };
}

/** JSON schema for a policy's config: its defaults' types plus `exceptions`. */
export function configSchemaOf(policy: PlatformPolicy) {
  const properties: Record<string, object> = {
    exceptions: {
      type: "array",
      items: {
        type: "object",
        properties: { resource: { type: "string" }, reason: { type: "string", minLength: 10 } },
        required: ["resource", "reason"],
      },
    },
  };
  for (const [key, value] of Object.entries(policy.defaults ?? {})) {
    properties[key] = Array.isArray(value)
      ? { type: "array", items: { type: typeof value[0] === "number" ? "number" : "string" }, default: value }
      : {
          type: typeof value === "number" ? "number" : typeof value === "boolean" ? "boolean" : "string",
          default: value,
        };
  }
  return { properties };
}
