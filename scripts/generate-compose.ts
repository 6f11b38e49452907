import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { catalog, repoRoot } from "../catalog";
import { renderCompose } from "../platform/compose/render";

/** Writes docker-compose.yml from the catalog; `--check` only reports whether it is up to date. */
const target = join(repoRoot, "docker-compose.yml");
const rendered = renderCompose(catalog);
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {}
  if (current !== rendered) {
    console.error("docker-compose.yml is out of date: run npm run generate:compose");
    process.exit(1);
  }
  console.log("docker-compose.yml is up to date");
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${target} (${catalog.length} services)`);
}
