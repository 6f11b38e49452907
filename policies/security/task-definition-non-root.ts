import { type ResourcePolicy, violations } from "../policy";
import { containersOf, TASK_DEFINITION, taskDefinition } from "./task-definition-containers";

const ROOT = /^(root|0)(:|$)/;

export const taskDefinitionNonRoot: ResourcePolicy = {
  kind: "resource",
  name: "task-definition-non-root",
  group: "security",
  control:
    "Security Hub FSBP ECS.4 (non-privileged); CIS Docker Benchmark 4.1 (non-root user); Checkov CKV_AWS_97",
  description: "Containers run as a non-root user and are never privileged.",
  types: [TASK_DEFINITION],
  check: (props) =>
    violations(
      ...containersOf(props).flatMap((c): [boolean, string][] => [
        [!c.user || ROOT.test(c.user), `container ${c.name} must set a non-root user`],
        [c.privileged === true, `container ${c.name} must not be privileged`],
      ]),
    ),
  examples: {
    violating: [
      taskDefinition({}),
      taskDefinition({ user: "root" }),
      taskDefinition({ user: "1000", privileged: true }),
    ],
    compliant: [taskDefinition({ user: "1000:1000" })],
  },
};
