import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bash, root, shownLines, shownNpmRuns, toolEnv } from "./doc-shell";

/**
 * The `npm run plan` commands the docs show besides `--stack dev --json` (docs.test.ts): the
 * human summaries, and the `plan --json | jq | while read … docker build` pipeline that builds the
 * local-cluster images, run as shown with `docker` a stub that records the builds.
 */
describe("docs: the npm run plan commands shown, and the local-cluster image pipeline", function () {
  this.timeout(120_000);
  const stateDir = mkdtempSync(join(tmpdir(), "docs-plan-"));
  after(() => rmSync(stateDir, { recursive: true, force: true }));
  const env = toolEnv({ BATTLE_READY_STATE_DIR: stateDir });

  it("every `npm run plan -- --stack <stack>` shown (without --json) prints its summary and no violation", async () => {
    const shown = [
      ...new Set(
        shownNpmRuns("plan")
          .filter((w) => !w.includes("--json") && !w.some((x) => /[<>$]/.test(x)))
          .map((w) => w.join(" ")),
      ),
    ];
    assert.ok(shown.length >= 2, `the docs show plan for dev and prod: ${shown.join("; ")}`);
    for (const command of shown) {
      const stack = /--stack (\S+)/.exec(command)?.[1];
      assert.ok(stack, command);
      const { stdout } = await bash(command, { cwd: root, env });
      assert.match(
        stdout,
        new RegExp(`^Plan for stack ${stack}: \\d+ resources of \\d+ types`, "m"),
        command,
      );
      assert.match(stdout, /^Policies: \d+ checked, 0 with violations/m, command);
    }
  });

  it("the image pipeline of Instructions.md and docs/kubernetes.md: one docker build per battle-ready image, each with its Dockerfile", async () => {
    const [instructions, kubernetes] = ["Instructions.md", "docs/kubernetes.md"].map((doc) =>
      shownLines(doc, "npm run -s plan -- --stack local-cluster --json", "done"),
    );
    const same = (s: string) =>
      s
        .split("\n")
        .map((l) => l.trim())
        .join("\n");
    assert.equal(same(kubernetes!), same(instructions!), "the two docs show the same pipeline");

    const calls = join(stateDir, "docker-calls");
    // Only `docker` is replaced: npm run plan, jq and the while loop run as shown.
    const stub = `docker() { [ "$1" = build ] || { echo "docker stub: $*" >&2; return 1; }; printf '%s\\n' "$*" >> ${JSON.stringify(calls)}; }`;
    await bash(`${stub}\n${instructions}`, { cwd: root, env });

    const builds = readFileSync(calls, "utf8").trim().split("\n");
    assert.ok(builds.length >= 8, `only ${builds.length} images built:\n${builds.join("\n")}`);
    const images = new Set<string>();
    for (const build of builds) {
      const m = /^build -t (battle-ready\/([\w-]+):[\w.-]+) -f (\S+) \.$/.exec(build);
      assert.ok(m, `unexpected docker call: ${build}`);
      const [, image, service, dockerfile] = m;
      assert.equal(dockerfile, `apps/${service}/Dockerfile`);
      assert.ok(existsSync(join(root, dockerfile!)), `${dockerfile} does not exist (for ${image})`);
      images.add(image!);
    }
    assert.equal(images.size, builds.length, "each image is built once");
    for (const service of ["todo", "call-webhook", "buffs-server", "tgibf"])
      assert.ok(
        [...images].some((i) => i.startsWith(`battle-ready/${service}:`)),
        `${service} is built (Deployments and CronJobs both): ${[...images].join(", ")}`,
      );
  });
});
