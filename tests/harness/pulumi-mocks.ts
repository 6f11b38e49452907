import * as pulumi from "@pulumi/pulumi";
import { type CallHandler, defaultCalls, defaultOutputs } from "./mock-defaults";
import { loadStackConfig, type StackConfig } from "./stack-files";

/**
 * The mock engine: runs a Pulumi program in-process with `pulumi.runtime.setMocks`, records every
 * resource registration (type, name, inputs, parent), waits until every resource has registered,
 * and throws on any invoke that is not mocked. This is how the program is checked without the
 * Pulumi CLI or a cloud account.
 */

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A value the program marked secret; recorded inputs hold these instead of the plain value. */
export class Secret {
  constructor(readonly value: unknown) {}
  toJSON(): string {
    return "[secret]";
  }
}

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent resource (the stack or a component). */
  parent?: string;
  /** False for component resources. */
  custom: boolean;
  /** Inputs as the engine received them; secret values are `Secret` instances. */
  inputs: Record<string, unknown>;
  /** Inputs plus the outputs the mocks computed. */
  state: Record<string, unknown>;
}

export interface MockOptions {
  project?: string;
  stack?: string;
  /** Config as `namespace:key` → value (objects are JSON-encoded for you). */
  config?: Record<string, unknown>;
  secretKeys?: string[];
  /** Extra computed outputs per resource, merged over the defaults. */
  outputs?: (r: {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
  }) => Record<string, unknown> | undefined;
  /** Extra invoke handlers by token, merged over the defaults. */
  calls?: Record<string, CallHandler>;
}

export interface MockRun<T> {
  resources: RecordedResource[];
  outputs: T;
}

/** Replaces the engine's secret envelopes with `Secret` instances, recursively. */
export function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return new Secret(fromWire(record.value));
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fromWire(v)]));
  }
  return value;
}

/** The plain value with secrets unwrapped: for assertions on what a resource would really get. */
export function reveal(value: unknown): unknown {
  if (value instanceof Secret) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, reveal(v)]),
    );
  }
  return value;
}

function secretEnvelope(value: unknown): Record<string, unknown> {
  return { [SIG_KEY]: SECRET_SIG, value };
}

let running = false;

/**
 * Runs `program` under mocks as the root stack and returns every resource it registered, after all
 * registrations (including those made inside `apply`) have settled, and its resolved outputs.
 */
export async function runUnderMocks<T>(
  program: () => T | Promise<T>,
  options: MockOptions = {},
): Promise<MockRun<Awaited<T>>> {
  if (running) throw new Error("runUnderMocks: one program at a time (the Pulumi runtime is global)");
  running = true;
  // When the program throws, the runtime also leaves the stack's own output promise rejected with
  // the same error; that duplicate is dropped so the caller sees the error once. A rejection nobody
  // handled in a run that otherwise succeeded fails the run.
  const stray: unknown[] = [];
  const collect = (reason: unknown) => stray.push(reason);
  process.on("unhandledRejection", collect);
  let outcome: { ok: true; value: MockRun<Awaited<T>> } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await run(program, options) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
  process.off("unhandledRejection", collect);
  running = false;
  if (!outcome.ok) throw outcome.error;
  if (stray.length > 0) throw stray[0];
  return outcome.value;
}

async function run<T>(program: () => T | Promise<T>, options: MockOptions): Promise<MockRun<Awaited<T>>> {
  const project = options.project ?? "battle-ready";
  const stack = options.stack ?? "test";
  const recorded = new Map<string, RecordedResource>();
  const parents = new Map<string, string>();
  const calls = { ...defaultCalls, ...options.calls };

  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const inputs = args.inputs as Record<string, unknown>;
      const computed = {
        ...(defaultOutputs[args.type]?.(args.name, inputs) ?? {}),
        ...(options.outputs?.({ type: args.type, name: args.name, inputs }) ?? {}),
      };
      if (args.type === "random:index/randomPassword:RandomPassword" && "result" in computed) {
        computed.result = secretEnvelope(computed.result);
      }
      const state = { ...inputs, ...computed };
      const id = args.custom === false ? "" : `${args.name}-id`;
      return { id, state };
    },
    call(args) {
      const handler = calls[args.token];
      if (!handler) {
        // The runtime rebuilds the error from `details`; without it the message would be lost.
        const message = `Mock not implemented: ${args.token}`;
        throw Object.assign(new Error(message), { details: message });
      }
      return handler(args.inputs as Record<string, unknown>);
    },
  };

  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.config ?? {}))
    config[k] = typeof v === "string" ? v : JSON.stringify(v);
  pulumi.runtime.setAllConfig(config, options.secretKeys ?? []);
  await pulumi.runtime.setMocks(mocks, project, stack, false);

  // Wrap the mock monitor to see what `newResource` cannot: each registration's parent URN.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: (err: unknown, res?: RegisterResponse) => void): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    register(req, (err, res) => {
      if (!err && res) {
        const urn = res.getUrn();
        if (req.getParent()) parents.set(urn, req.getParent());
        const inputs = fromWire(pulumi.runtime.deserializeProperties(req.getObject())) as Record<
          string,
          unknown
        >;
        const state = fromWire(pulumi.runtime.deserializeProperties(res.getObject())) as Record<
          string,
          unknown
        >;
        recorded.set(urn, {
          urn,
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent() || undefined,
          custom: req.getCustom(),
          inputs,
          state,
        });
      }
      cb(err, res);
    });
  };

  const created: pulumi.Resource[] = [];
  let result: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      created.push(args.resource);
      return undefined;
    });
    result = await program();
    await settle(created);
    return result as pulumi.Inputs;
  });
  await settle(created);
  const outputs = (await resolveDeep(result)) as Awaited<T>;
  const resources = [...recorded.values()].filter((r) => r.type !== "pulumi:pulumi:Stack");
  return { resources, outputs };
}

type WireStruct = Parameters<typeof pulumi.runtime.deserializeProperties>[0];

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): WireStruct;
}
interface RegisterResponse {
  getUrn(): string;
  getObject(): WireStruct;
}

/** Awaits every created resource's URN (and id), again while resources keep being created in applies. */
async function settle(created: pulumi.Resource[]): Promise<void> {
  let seen = -1;
  while (seen !== created.length) {
    seen = created.length;
    await Promise.all(
      created.map(async (r) => {
        await promiseOf(r.urn);
        if (pulumi.CustomResource.isInstance(r)) await promiseOf(r.id);
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The output's value; rejects when its resource failed (`apply` would simply never run). */
function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

/** Resolves Outputs anywhere inside a value; secret outputs become `Secret` instances. */
async function resolveDeep(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const output = value as pulumi.Output<unknown>;
    const [inner, isSecret] = await Promise.all([
      promiseOf(output),
      (output as unknown as { isSecret: Promise<boolean> }).isSecret,
    ]);
    const resolved = await resolveDeep(inner);
    return isSecret ? new Secret(resolved) : resolved;
  }
  if (value instanceof Promise) return resolveDeep(await value);
  if (Array.isArray(value)) return Promise.all(value.map(resolveDeep));
  if (
    value &&
    typeof value === "object" &&
    !(value instanceof Secret) &&
    !pulumi.Resource.isInstance(value)
  ) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveDeep(v)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

export interface StackRun extends MockRun<Record<string, unknown>> {
  config: StackConfig;
}

/** Evaluates `index.ts` for a stack with the config from its real `Pulumi.<stack>.yaml`. */
export async function evaluateStack(
  stack: string,
  options: Omit<MockOptions, "stack" | "config" | "secretKeys" | "project"> = {},
): Promise<StackRun> {
  const config = loadStackConfig(stack);
  const program = loadProgram();
  const run = await runUnderMocks(program, {
    ...options,
    project: config.project,
    stack,
    config: config.values,
    secretKeys: config.secretKeys,
  });
  return { ...run, config, outputs: (run.outputs ?? {}) as Record<string, unknown> };
}

function loadProgram(): () => unknown {
  const exported = require("../../index") as unknown;
  const program = typeof exported === "function" ? exported : (exported as { default?: unknown }).default;
  if (typeof program !== "function")
    throw new Error("index.ts must export the program as a function (export = async () => ...)");
  return program as () => unknown;
}

/** Every recorded resource of a type token, e.g. `aws:rds/instance:Instance`. */
export function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

/** The one resource of a type (and optional name); throws when there are none or several. */
export function single(resources: RecordedResource[], type: string, name?: string): RecordedResource {
  const found = ofType(resources, type).filter((r) => name === undefined || r.name === name);
  if (found.length !== 1)
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
  return found[0]!;
}

/** The URN's resource name of a parent, for readable assertions. */
export function parentOf(resources: RecordedResource[], r: RecordedResource): RecordedResource | undefined {
  return resources.find((p) => p.urn === r.parent);
}
