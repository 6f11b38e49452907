/**
 * Offline plan: evaluates the Pulumi program for a stack under the mock engine (no cloud
 * credentials, no Pulumi CLI) and prints what it would create, with the policy pack's report.
 *
 *   npm run plan -- --stack dev            a summary of resources by type, and the policy report
 *   npm run plan -- --stack dev --json     one JSON document: { stack, resources, policies }
 *
 * Secret values are never printed: they show as "[secret]".
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { evaluateStack, type RecordedResource } from "../tests/harness/pulumi-mocks";

export interface PolicyViolation {
  urn: string;
  message: string;
}
export interface PolicyReport {
  name: string;
  group: string;
  level: "mandatory" | "advisory" | "disabled";
  violations: PolicyViolation[];
}
type PolicyRunner = (stack: string, resources: RecordedResource[]) => Promise<PolicyReport[]>;

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { stack: { type: "string", short: "s" }, json: { type: "boolean", default: false } },
    strict: true,
  });
  const stack = values.stack;
  if (!stack) {
    process.stderr.write("usage: npm run plan -- --stack <dev|staging|prod|...> [--json]\n");
    return 2;
  }
  // The program's own console output must not mix with the JSON on stdout.
  const log = console.log;
  console.log = (...args: unknown[]) => console.error(...args);
  let resources: RecordedResource[];
  try {
    ({ resources } = await evaluateStack(stack));
  } finally {
    console.log = log;
  }
  const policies = await runPolicies(stack, resources);

  if (values.json) {
    const document = {
      stack,
      resources: resources.map((r) => ({
        type: r.type,
        name: r.name,
        parent: r.parent ?? null,
        inputs: r.inputs,
      })),
      policies,
    };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    printSummary(stack, resources, policies);
  }
  const blocking = policies.filter((p) => p.level === "mandatory" && p.violations.length > 0);
  return blocking.length > 0 ? 1 : 0;
}

async function runPolicies(stack: string, resources: RecordedResource[]): Promise<PolicyReport[]> {
  const module = join(__dirname, "..", "policies", "in-process.ts");
  if (!existsSync(module)) return [];
  const { evaluatePolicies } = require(module) as { evaluatePolicies: PolicyRunner };
  return evaluatePolicies(stack, resources);
}

function printSummary(stack: string, resources: RecordedResource[], policies: PolicyReport[]): void {
  const byType = new Map<string, number>();
  for (const r of resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  const rows = [...byType.entries()].sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(4, ...rows.map(([type]) => type.length));
  const out: string[] = [];
  out.push(paint(1, `Plan for stack ${stack}: ${resources.length} resources of ${rows.length} types`), "");
  out.push(`  ${"type".padEnd(width)}  count`, `  ${"─".repeat(width)}  ─────`);
  for (const [type, count] of rows) out.push(`  ${type.padEnd(width)}  ${String(count).padStart(5)}`);
  out.push("");
  if (policies.length === 0) {
    out.push(paint(2, "No policy pack found (policies/in-process.ts)."));
  } else {
    const failed = policies.filter((p) => p.violations.length > 0);
    out.push(paint(1, `Policies: ${policies.length} checked, ${failed.length} with violations`), "");
    const nameWidth = Math.max(...policies.map((p) => p.name.length));
    for (const p of policies) {
      const status =
        p.level === "disabled"
          ? paint(2, "off ")
          : p.violations.length === 0
            ? paint(32, "pass")
            : p.level === "mandatory"
              ? paint(31, "FAIL")
              : paint(33, "warn");
      out.push(`  ${status}  ${p.name.padEnd(nameWidth)}  ${paint(2, `${p.group}, ${p.level}`)}`);
      for (const v of p.violations) out.push(`          ${paint(2, v.urn)}`, `          ${v.message}`);
    }
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

// Exit only once stdout has drained: on a pipe (`| jq`), exiting at once cuts the JSON at 64 KiB.
main().then(
  (code) => process.stdout.write("", () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`plan: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
