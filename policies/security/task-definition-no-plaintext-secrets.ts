import { type ResourcePolicy, violations } from "../policy";
import { containersOf, TASK_DEFINITION, taskDefinition } from "./task-definition-containers";

const SECRET_NAME = /(PASS(WORD)?|SECRET|TOKEN|PRIVATE_?KEY|API_?KEY|CREDENTIALS?)$/i;
const SECRET_VALUE = /^(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----)/;

export const taskDefinitionNoPlaintextSecrets: ResourcePolicy = {
  kind: "resource",
  name: "task-definition-no-plaintext-secrets",
  group: "security",
  control: "Security Hub FSBP ECS.8; Checkov CKV_AWS_45 (secrets in environment)",
  description:
    "Secrets reach containers by reference (`secrets` from Secrets Manager), never as plain environment values.",
  types: [TASK_DEFINITION],
  check: (props) =>
    violations(
      ...containersOf(props).flatMap((c) =>
        (c.environment ?? []).map((e): [boolean, string] => [
          SECRET_NAME.test(e.name) || SECRET_VALUE.test(e.value ?? ""),
          `container ${c.name}: ${e.name} looks like a secret in plain environment; pass it in secrets (valueFrom)`,
        ]),
      ),
    ),
  examples: {
    violating: [taskDefinition({ environment: [{ name: "DBPASS", value: "hunter2" }] })],
    compliant: [
      taskDefinition({
        environment: [{ name: "DBHOST", value: "db" }],
        secrets: [{ name: "DBPASS", valueFrom: "arn:aws:secretsmanager:eu-west-1:1:secret:db:password::" }],
      }),
    ],
  },
};
