import { type ResourcePolicy, violations } from "../policy";
import { containersOf, TASK_DEFINITION, taskDefinition } from "./task-definition-containers";

export const taskDefinitionLogging: ResourcePolicy = {
  kind: "resource",
  name: "task-definition-logging",
  group: "security",
  control: "Security Hub FSBP ECS.9 (task definitions should have a logging configuration)",
  description: "Every container ships its logs (awslogs to CloudWatch).",
  types: [TASK_DEFINITION],
  check: (props) =>
    violations(
      ...containersOf(props).map((c): [boolean, string] => [
        !c.logConfiguration?.logDriver,
        `container ${c.name} has no logConfiguration`,
      ]),
    ),
  examples: {
    violating: [taskDefinition({})],
    compliant: [taskDefinition({ logConfiguration: { logDriver: "awslogs" } })],
  },
};
