/**
 * Runs the policy pack without the Pulumi CLI: builds validation args the way the engine does
 * (props behind `unknownCheckingProxy`, `notApplicable`, `stackTags`, `getConfig`) and runs every
 * resource and stack policy over the resources recorded by the mock engine for a stack.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type EnforcementLevel,
  type PolicyResource,
  type ResourceValidationArgs,
  type StackValidationArgs,
  unknownCheckingProxy,
} from "@pulumi/policy";
import type { RecordedResource } from "../tests/harness/pulumi-mocks";
import { reveal } from "../tests/harness/pulumi-mocks";
import { type PlatformPolicy, type PolicySettings, validateResource, validateStack } from "./policy";
import { policies } from "./registry";

export type Level = "mandatory" | "advisory" | "disabled";

export interface PolicyReport {
  name: string;
  group: string;
  level: Level;
  control: string;
  violations: { urn: string; message: string }[];
  /** Deliberate exceptions written in the stack's policy config, each with its reason. */
  exceptions: { resource: string; reason: string }[];
}

/** A stack's policy config file, in the format `pulumi preview --policy-pack-config` reads. */
export type PolicyConfigFile = Record<string, Level | ({ enforcementLevel?: Level } & PolicySettings)>;

const CONFIG_DIR = join(__dirname, "config");

export function loadPolicyConfig(stack: string): PolicyConfigFile {
  const file = join(CONFIG_DIR, `${stack}.json`);
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as PolicyConfigFile)
    : { all: "mandatory" };
}

/** The level a policy runs at for a config file: its own entry, else `all`, else mandatory. */
export function levelOf(policy: PlatformPolicy, config: PolicyConfigFile): Level {
  const own = config[policy.name];
  if (typeof own === "string") return own;
  if (own?.enforcementLevel) return own.enforcementLevel;
  const all = config.all;
  return typeof all === "string" ? all : "mandatory";
}

/** A policy's settings from a config file (without `enforcementLevel`), as the engine's getConfig returns them. */
export function settingsOf(policy: PlatformPolicy, config: PolicyConfigFile): PolicySettings {
  const own = config[policy.name];
  if (!own || typeof own === "string") return {};
  const { enforcementLevel: _level, ...settings } = own;
  return settings;
}

class NotApplicable extends Error {}

const noOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function typeMatcher(type: string) {
  const isType = (resourceClass: { __pulumiType?: string; isInstance?: (o: unknown) => boolean }) =>
    resourceClass.__pulumiType
      ? resourceClass.__pulumiType === type
      : resourceClass.isInstance?.({ __pulumiType: type }) === true;
  return isType as (resourceClass: unknown) => boolean;
}

export interface PolicyInput {
  type: string;
  name: string;
  urn: string;
  parent?: string;
  /** What resource policies see: the inputs. */
  props: Record<string, unknown>;
  /** What stack policies see: inputs and outputs. */
  state?: Record<string, unknown>;
}

/** Runs one policy over resources with the given settings; returns its violations. */
export async function runPolicy(
  policy: PlatformPolicy,
  resources: PolicyInput[],
  settings: PolicySettings = {},
  /** Where a stack policy's violation that names no resource is reported. */
  stackUrn = "(stack)",
): Promise<{ urn: string; message: string }[]> {
  const found: { urn: string; message: string }[] = [];
  const stackTags: ReadonlyMap<string, string> = new Map();
  const getConfig = <T extends object>() => settings as T;
  const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
  };
  if (policy.kind === "resource") {
    const validate = validateResource(policy);
    for (const r of resources) {
      const props = unknownCheckingProxy(r.props);
      const isType = typeMatcher(r.type);
      const args: ResourceValidationArgs = {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props,
        opts: { ...noOptions, parent: r.parent },
        stackTags,
        isType: isType as ResourceValidationArgs["isType"],
        asType: ((cls: unknown) => (isType(cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig,
        notApplicable,
      };
      try {
        await validate(args, (message, urn) => found.push({ urn: urn ?? r.urn, message }));
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
      }
    }
    return found;
  }
  const stackResources: PolicyResource[] = resources.map((r) => {
    const props = unknownCheckingProxy(r.state ?? r.props);
    const isType = typeMatcher(r.type);
    return {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props,
      opts: { ...noOptions, parent: r.parent },
      isType: isType as PolicyResource["isType"],
      asType: ((cls: unknown) => (isType(cls) ? props : undefined)) as PolicyResource["asType"],
      dependencies: [],
      propertyDependencies: {},
    };
  });
  const args: StackValidationArgs = {
    resources: stackResources,
    getConfig,
    stackTags,
    notApplicable,
  } as StackValidationArgs;
  try {
    await validateStack(policy)(args, (message, urn) => found.push({ urn: urn ?? stackUrn, message }));
  } catch (error) {
    if (!(error instanceof NotApplicable)) throw error;
  }
  return found;
}

/** Every policy of the pack over a stack's recorded resources, at the stack's enforcement levels. */
export async function evaluatePolicies(stack: string, recorded: RecordedResource[]): Promise<PolicyReport[]> {
  const config = loadPolicyConfig(stack);
  const resources: PolicyInput[] = recorded.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    parent: r.parent,
    props: reveal(r.inputs) as Record<string, unknown>,
    state: reveal(r.state) as Record<string, unknown>,
  }));
  const reports: PolicyReport[] = [];
  for (const policy of policies) {
    const level = levelOf(policy, config);
    const settings = settingsOf(policy, config);
    const stackUrn = `urn:pulumi:${stack}::battle-ready::pulumi:pulumi:Stack::battle-ready-${stack}`;
    const violations = level === "disabled" ? [] : await runPolicy(policy, resources, settings, stackUrn);
    reports.push({
      name: policy.name,
      group: policy.group,
      level,
      control: policy.control,
      violations,
      exceptions: settings.exceptions ?? [],
    });
  }
  return reports;
}

export type { EnforcementLevel };
