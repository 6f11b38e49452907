import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validate } from "dockerfile-utils";
import { catalog } from "../../catalog";

const root = join(__dirname, "..", "..");
const apps = readdirSync(join(root, "apps")).filter((a) => existsSync(join(root, "apps", a, "Dockerfile")));

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions with line continuations joined, comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [keyword = "", ...rest] = l.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

/** The instructions of each build stage. */
function stages(list: Instruction[]): Instruction[][] {
  const out: Instruction[][] = [];
  for (const i of list) {
    if (i.keyword === "FROM") out.push([]);
    out.at(-1)?.push(i);
  }
  return out;
}

describe("Dockerfiles (validated without a Docker engine)", () => {
  it("every catalog service has a Dockerfile", () => {
    const missing = catalog.filter((s) => !apps.includes(s.entry.split("/")[1]!)).map((s) => s.name);
    assert.deepEqual(missing, []);
  });

  for (const app of apps) {
    describe(app, () => {
      const text = readFileSync(join(root, "apps", app, "Dockerfile"), "utf8");
      const list = instructions(text);
      const all = stages(list);
      const final = all.at(-1) ?? [];
      const services = catalog.filter((s) => s.entry.startsWith(`apps/${app}/`));
      // A one-off job (the load generator) serves nothing: no port to expose, no health to check.
      const servesHttp = services.some((s) => s.kind !== "job");

      it("parses without errors (dockerfile-utils, the VS Code Docker language server's validator)", () => {
        const problems = validate(text).filter((d) => d.severity === 1);
        assert.deepEqual(
          problems.map((d) => `line ${d.range.start.line + 1}: ${d.message}`),
          [],
        );
      });

      it("is multi-stage, with every base image pinned to an exact version", () => {
        assert.ok(all.length >= 2, "at least a build stage and a runtime stage");
        const froms = list.filter((i) => i.keyword === "FROM");
        const stageNames = new Set(froms.map((i) => i.args.split(/\s+AS\s+/i)[1]).filter(Boolean));
        for (const from of froms) {
          const image = from.args.split(/\s+/).find((a) => !a.startsWith("--"))!;
          if (stageNames.has(image)) continue;
          assert.match(
            image,
            /(:\d+\.\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$/,
            `${image} must be pinned to an exact version or digest`,
          );
        }
      });

      it("runs as a non-root user with a health check, in exec form", () => {
        const user = final.filter((i) => i.keyword === "USER").at(-1);
        assert.ok(user, "the final stage sets USER");
        assert.doesNotMatch(user!.args, /^(root|0)(:|$)/);
        if (servesHttp)
          assert.ok(
            final.some((i) => i.keyword === "HEALTHCHECK" && !/NONE/i.test(i.args)),
            "HEALTHCHECK",
          );
        const cmd = final.filter((i) => i.keyword === "CMD" || i.keyword === "ENTRYPOINT").at(-1);
        assert.ok(cmd?.args.startsWith("["), "CMD or ENTRYPOINT in exec form");
      });

      it("ships only the production bundle: no package install or dev tooling in the runtime stage", () => {
        assert.ok(
          !final.some((i) => i.keyword === "RUN" && /\bnpm (ci|install)\b/.test(i.args)),
          "no npm install in the final stage",
        );
        assert.ok(!final.some((i) => i.keyword === "ADD"), "no ADD (COPY is explicit)");
        assert.ok(
          final.some((i) => i.keyword === "COPY" && i.args.includes("--from=")),
          "copies the build stage's output",
        );
      });

      it("exposes the port the catalog gives the service", () => {
        const exposed = final.filter((i) => i.keyword === "EXPOSE").map((i) => Number(i.args.split("/")[0]));
        for (const s of services.filter((s) => s.kind !== "job"))
          assert.ok(exposed.includes(s.port), `${s.name} listens on ${s.port}; EXPOSE ${exposed.join(", ")}`);
      });

      it("its build stage's bundle step really builds", function () {
        this.timeout(60_000);
        const bundle = list.find((i) => i.keyword === "RUN" && i.args.includes("esbuild"));
        assert.ok(bundle, "a RUN step bundles the service with esbuild");
        const args = bundle!.args
          .replace(/^npx\s+esbuild\s+/, "")
          .split(/\s+/)
          .filter(Boolean);
        const out = mkdtempSync(join(tmpdir(), `bundle-${app}-`));
        const rewritten = args.map((a) =>
          a.replace(/^--outfile=\/out\//, `--outfile=${out}/`).replace(/^--outdir=\/out/, `--outdir=${out}`),
        );
        execFileSync(join(root, "node_modules", ".bin", "esbuild"), [...rewritten, "--log-level=error"], {
          cwd: root,
          stdio: "pipe",
        });
        const main = join(out, "main.js");
        assert.ok(existsSync(main), "the bundle is written where the runtime stage copies it from");
        execFileSync(process.execPath, ["--check", main], { stdio: "pipe" });
      });
    });
  }
});
