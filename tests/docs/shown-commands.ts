/**
 * Where each shell command the docs show is run, or why it is not run here. placement.test.ts
 * fails when a command the docs check (markdown-checker's commandsOf + isCheckedCommand) matches
 * no rule, or more than one, and when a rule matches nothing any more. A rule matches the
 * command's words from its tool on (commandProper), joined with single spaces.
 *
 *   docs-test   run by a test in tests/docs/ (`test`), which finds the command in the docs itself
 *   other-test  run by another test (`test`): the test file must exist and contain `mentions`
 *   cloud-only  needs something this machine has not got (an AWS account, a cluster, Pulumi…)
 *   not-run     runnable, but not by a test: `reason` says why (minutes of CPU, or it changes the
 *               machine, the shared working tree or a remote)
 */

export type Placement =
  | { kind: "docs-test"; test: string; mentions: string[]; how?: string }
  | { kind: "other-test"; test: string; mentions: string[]; how?: string }
  | { kind: "cloud-only"; reason: string }
  | { kind: "not-run"; reason: string };

export interface Rule {
  command: RegExp;
  placement: Placement;
}

const docsTest = (test: string, mentions: string[], how?: string): Placement => ({
  kind: "docs-test",
  test: `tests/docs/${test}`,
  mentions,
  ...(how ? { how } : {}),
});
const otherTest = (test: string, mentions: string[], how?: string): Placement => ({
  kind: "other-test",
  test,
  mentions,
  ...(how ? { how } : {}),
});
const cloudOnly = (reason: string): Placement => ({ kind: "cloud-only", reason });
const notRun = (reason: string): Placement => ({ kind: "not-run", reason });

const BENCH = notRun("run by `npm run bench` (not in npm test: minutes of CPU)");

export const RULES: Rule[] = [
  // ------------------------------------------------------------ npm scripts
  {
    command: /^npm run plan -- --stack dev --json$/,
    placement: docsTest("docs.test.ts", ['"plan", "--", "--stack", "dev", "--json"']),
  },
  {
    command: /^npm run plan -- --stack (dev|prod)$/,
    placement: docsTest("plan-runs.test.ts", ['shownNpmRuns("plan")', "Plan for stack"]),
  },
  {
    command: /^npm run -s plan -- --stack local-cluster --json$/,
    placement: docsTest("plan-runs.test.ts", ["--stack local-cluster --json"]),
  },
  {
    command: /^jq -r \.resources\[\] \| select\(\.type=="kubernetes:apps\/v1:Deployment"/,
    placement: docsTest(
      "plan-runs.test.ts",
      ["--stack local-cluster --json", "jq"],
      "the whole pipeline, its `while` loop included; docker is a stub that checks the Dockerfile",
    ),
  },
  {
    command: /^npm run logs -- /,
    placement: docsTest("docs.test.ts", ['w[2] === "logs"', "<x-request-id>"]),
  },
  {
    command: /^npm run (backup|restore|load-test) -- --help$/,
    placement: docsTest("docs.test.ts", ['"--help"']),
  },
  {
    command: /^npm run load-test( -- (?!--help$|--render-only).*)?$/,
    placement: docsTest(
      "load-test.test.ts",
      ['shownNpmRuns("load-test")', "npm run load-test --", '"--duration"', '"--out"'],
      "once, with every flag the docs show but --duration 2s --sample-every 1s --out <tmp>",
    ),
  },
  {
    command: /^npm run load-test -- --render-only --out docs\/load-test$/,
    placement: docsTest(
      "load-test.test.ts",
      ["npm run load-test -- --render-only"],
      "on the short run's <tmp>",
    ),
  },
  {
    command: /^npm run backup( >> \.local\/backup-cron\.log 2>)?$/,
    placement: otherTest(
      "tests/ops/backup-s3.test.ts",
      ["`ops/backup/", '"backup-cli"'],
      "the CLI as a child process, against MariaDB and dynalite (with --to and --s3)",
    ),
  },
  {
    command: /^npm run backup -- --s3 s3:\/\/bucket\/prefix$/,
    placement: otherTest("tests/ops/backup-s3.test.ts", ['"backup-cli"', '"--s3"'], "against s3rver"),
  },
  {
    command: /^npm run restore( -- --s3 s3:\/\/bucket\/prefix(\/\d{8}T\d{6}Z)?)?$/,
    placement: otherTest("tests/ops/backup-s3.test.ts", ['"restore-cli"', '"--s3"']),
  },
  {
    command: /^npm run restore -- (--s3 s3:\/\/bucket\/prefix )?--only (mysql|dynamodb)$/,
    placement: otherTest(
      "tests/ops/backup-s3.test.ts",
      ['"restore-cli"', '"--only", "mysql"'],
      "--only mysql; --only dynamodb is the same flag's other value, not run as a CLI",
    ),
  },
  { command: /^npm run bench( -- (buffs|todo|orders|ingest)( --json)?)?$/, placement: BENCH },
  {
    command: /^npm start$/,
    placement: otherTest(
      "tests/local/runner.test.ts",
      ["local/cli/start.ts"],
      "and tests/system/full-system.test.ts",
    ),
  },
  {
    command: /^npm test$/,
    placement: notRun(
      "the whole suite (type-check, lint, every test): long on 2 cores; CI's pull-request workflow runs it",
    ),
  },
  {
    command: /^npm ci$/,
    placement: notRun(
      "reinstalls node_modules under everyone using this tree (scripts/toolchain.sh runs it when the lockfile changes)",
    ),
  },

  // ------------------------------------------------------------ tests the docs tell you to run
  {
    command: /^mocha tests\/ops\/faults\.test\.ts$/,
    placement: otherTest("tests/ops/faults.test.ts", ["describe("], "it is that test"),
  },
  {
    command: /^bash scripts\/toolchain\.sh mocha tests\/services\/todo\.test\.ts$/,
    placement: otherTest("tests/services/todo.test.ts", ["describe("], "it is that test"),
  },
  {
    command: /^bash scripts\/toolchain\.sh mocha tests\/services\/todo-bundle\.test\.ts$/,
    placement: otherTest("tests/services/todo-bundle.test.ts", ["describe("], "it is that test"),
  },
  {
    command: /^bash scripts\/toolchain\.sh mocha tests\/services\/todo-browser\.test\.ts$/,
    placement: otherTest("tests/services/todo-browser.test.ts", ["describe("], "it is that test"),
  },
  {
    command: /^bash scripts\/toolchain\.sh mocha tests\/system\/full-system\.test\.ts$/,
    placement: otherTest("tests/system/full-system.test.ts", ["describe("], "it is that test"),
  },
  {
    command:
      /^bash scripts\/toolchain\.sh mocha tests\/services\/buffs-flow\.test\.ts --grep Idempotency-Key$/,
    placement: otherTest("tests/services/buffs-flow.test.ts", ["Idempotency-Key"], "it is that test"),
  },

  // ------------------------------------------------------------ the local system, by hand
  {
    command:
      /^(grep -hE "level":\(50\|60\|"error"\|"fatal"\)|grep -h "reqId":"<x-request-id>"|jq -c select\(\.level) .*\.local\/logs\/\*\.log$/,
    placement: docsTest(
      "log-searches.test.ts",
      ["shownSearches()", "ERROR_OR_WORSE", "WARN_OR_WORSE"],
      "in a temp dir, on sample JSON lines",
    ),
  },
  {
    command: /^rm -rf \.local$/,
    placement: docsTest(
      "log-searches.test.ts",
      [`shownLines("Instructions.md", "rm -rf .local")`],
      "in the temp dir",
    ),
  },
  {
    command: /^cat \.local\/endpoints\.json$/,
    placement: otherTest(
      "tests/local/runner.test.ts",
      ["endpoints.json"],
      "the runner writes it; the test reads it",
    ),
  },
  {
    command: /^curl -s -XPOST localhost:8000\/orders\/ /,
    placement: otherTest(
      "tests/system/full-system.test.ts",
      ["/orders/`", "PROD001"],
      "on order-api's own port",
    ),
  },
  {
    command: /^npx tsx apps\/tgibf\/src\/main\.ts /,
    placement: otherTest("tests/services/call-events-tgibf.test.ts", ['"main.ts"', "WEBHOOK"]),
  },
  {
    command:
      /^(mkdir -p \.local\/compose-tls|cd \.local\/compose-tls|openssl .*|printf subjectAltName=.*|chmod 0644 server-key\.pem)$/,
    placement: docsTest(
      "localstack-tls.test.ts",
      ["shownLines(", `"docs/localstack.md"`, `"mkdir -p .local/compose-tls"`],
      "in a temp dir",
    ),
  },

  // ------------------------------------------------------------ clouds and clusters
  {
    command: /^aws /,
    placement: cloudOnly("needs an AWS account and credentials (the aws CLI is here, an account is not)"),
  },
  {
    command: /^pulumi /,
    placement: cloudOnly(
      "needs the Pulumi CLI (not installed here) and a stack's backend; npm run plan is the offline view",
    ),
  },
  {
    command: /^kubectl /,
    placement: cloudOnly("needs a Kubernetes cluster (kubectl is here, a cluster is not)"),
  },
  {
    command: /^(minikube|kind|helm|localstack) /,
    placement: cloudOnly("creates or changes a cluster or a LocalStack container (not installed here)"),
  },
  {
    command: /^eval \$\(minikube docker-env\)$/,
    placement: cloudOnly("needs minikube's Docker daemon"),
  },
  {
    command: /^docker build -t \$image -f apps\/\$service\/Dockerfile \.$/,
    placement: cloudOnly(
      "needs Docker inside the cluster; plan-runs.test.ts runs the loop around it with a docker stub that checks the Dockerfile exists",
    ),
  },
  {
    command: /^(curl|open) .*\$\(minikube ip\)/,
    placement: cloudOnly("calls the cluster's ingress (minikube ip)"),
  },
  {
    command: /^base64 -d$/,
    placement: cloudOnly("decodes the Secret kubectl reads in the same pipeline"),
  },
  {
    command: /^grep RandomPassword$/,
    placement: cloudOnly("filters `pulumi stack --show-urns` of a deployed stack"),
  },
  {
    command: /^jq -r \.password\)$/,
    placement: cloudOnly("reads the secret `aws secretsmanager get-secret-value` prints in the same line"),
  },
  {
    command: /^jq -r \.deployment\.resources\[\] .* prod-previous\.json$/,
    placement: cloudOnly("reads a `pulumi stack export` of a deployed stack"),
  },
  {
    command: /^export (AWS_|PULUMI_CONFIG_PASSPHRASE=)/,
    placement: cloudOnly("sets up the environment of the pulumi/aws/cluster commands that follow it"),
  },
  {
    command: /^gh (variable|secret) set /,
    placement: cloudOnly(
      "sets GitHub Actions variables and secrets: needs the repository on GitHub and gh (not installed)",
    ),
  },

  // ------------------------------------------------------------ the machine, the tree, the remote
  {
    command: /^sudo apt-get install /,
    placement: notRun("installs system packages (root)"),
  },
  {
    command: /^(git clone <repository-url> battle-ready|cd battle-ready)$/,
    placement: notRun("clones the repository: needs its URL and the network"),
  },
  {
    command: /^git (switch|pull|revert|push|add|commit)( |$)/,
    placement: notRun("changes the shared working tree or pushes to the remote"),
  },
];

/** The rules whose pattern matches `command` (placement.test.ts wants exactly one). */
export const rulesFor = (command: string): Rule[] => RULES.filter((r) => r.command.test(command));
