/**
 * npm run bench [-- <name>...] [--json]
 * Runs the benchmarks in bench/ (each module exports `run({ json })` and returns its figures), one
 * after another so they do not compete for the CPU. With --json, prints one JSON object per
 * benchmark name: `{ "<name>": { ...figures } }` (a single benchmark prints its figures alone).
 */
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";

type Bench = { run(opts: { json: boolean }): Promise<Record<string, number>> };

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { json: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
    .map((f) => basename(f, ".ts"))
    .sort();
  const unknown = positionals.filter((p) => !available.includes(p));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark ${unknown.join(", ")}; available: ${available.join(", ")}`);
  const selected = positionals.length > 0 ? positionals : available;
  const results: Record<string, Record<string, number>> = {};
  for (const name of selected) {
    if (!values.json) process.stdout.write(`\n\u001b[1m== bench ${name}\u001b[0m\n`);
    const bench = require(join(__dirname, `${name}.ts`)) as Bench;
    // Benchmarks print their own tables; with --json only this runner writes to stdout.
    const log = console.log;
    if (values.json) console.log = (...args: unknown[]) => console.error(...args);
    try {
      results[name] = await bench.run({ json: values.json });
    } finally {
      console.log = log;
    }
  }
  if (values.json) {
    const document = selected.length === 1 ? results[selected[0]!] : results;
    process.stdout.write(`${JSON.stringify(document)}\n`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
