import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { commandProper, commandsOf, isCheckedCommand, markdownFiles } from "./markdown-checker";
import { type Placement, RULES, rulesFor } from "./shown-commands";

const root = join(__dirname, "..", "..");

/** Every command the docs check, as `file:line` and its words from the tool on. */
function shownCommands(): { at: string; command: string }[] {
  return markdownFiles(root).flatMap((file) =>
    commandsOf(readFileSync(file, "utf8")).flatMap((shown) => {
      const words = isCheckedCommand(shown) ? commandProper(shown.words) : undefined;
      return words ? [{ at: `${relative(root, file)}:${shown.line}`, command: words.join(" ") }] : [];
    }),
  );
}

describe("docs: every command shown is run by a test, or listed as not runnable here (shown-commands.ts)", () => {
  const shown = shownCommands();

  it("every command shown matches exactly one rule", () => {
    assert.ok(shown.length > 100, `only ${shown.length} commands found in the docs`);
    const unplaced = shown
      .map(({ at, command }) => ({ at, command, rules: rulesFor(command) }))
      .filter((c) => c.rules.length !== 1)
      .map(
        ({ at, command, rules }) =>
          `${at}: ${command}: ${rules.length === 0 ? "no rule: place it in tests/docs/shown-commands.ts" : `${rules.length} rules: ${rules.map((r) => r.command).join(", ")}`}`,
      );
    assert.deepEqual(unplaced, []);
  });

  it("every rule still matches a command the docs show", () => {
    const unused = RULES.filter((r) => !shown.some(({ command }) => r.command.test(command))).map((r) =>
      String(r.command),
    );
    assert.deepEqual(unused, [], "rules for commands no doc shows any more: remove them");
  });

  it("a command run by a test names a test file that exists and contains what runs it", () => {
    const wrong = RULES.flatMap(({ command, placement }) => {
      if (placement.kind !== "docs-test" && placement.kind !== "other-test") return [];
      if (placement.kind === "docs-test" && !placement.test.startsWith("tests/docs/"))
        return [`${command}: a docs test lives in tests/docs/, not ${placement.test}`];
      const file = join(root, placement.test);
      if (!existsSync(file)) return [`${command}: ${placement.test} does not exist`];
      const text = readFileSync(file, "utf8");
      return placement.mentions
        .filter((m) => !text.includes(m))
        .map((m) => `${command}: ${placement.test} does not contain ${JSON.stringify(m)}`);
    });
    assert.deepEqual(wrong, []);
  });

  it("a command not run here says why", () => {
    const silent = RULES.filter(
      ({ placement: p }) => (p.kind === "cloud-only" || p.kind === "not-run") && p.reason.trim().length < 15,
    );
    assert.deepEqual(silent, []);
    // The counts, for whoever reads the test output.
    const counts: Record<Placement["kind"], number> = {
      "docs-test": 0,
      "other-test": 0,
      "cloud-only": 0,
      "not-run": 0,
    };
    for (const { command } of shown) {
      const [rule] = rulesFor(command);
      if (rule) counts[rule.placement.kind]++;
    }
    console.log(
      `      shown commands: ${shown.length}; ${Object.entries(counts)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")}`,
    );
  });
});
