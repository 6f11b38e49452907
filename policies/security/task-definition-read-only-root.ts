import { type ResourcePolicy, violations } from "../policy";
import { containersOf, TASK_DEFINITION, taskDefinition } from "./task-definition-containers";

export const taskDefinitionReadOnlyRoot: ResourcePolicy = {
  kind: "resource",
  name: "task-definition-read-only-root",
  group: "security",
  control: "Security Hub FSBP ECS.5; Checkov CKV_AWS_336",
  description: "Containers have a read-only root filesystem.",
  types: [TASK_DEFINITION],
  check: (props) =>
    violations(
      ...containersOf(props).map((c): [boolean, string] => [
        c.readonlyRootFilesystem !== true,
        `container ${c.name} must have readonlyRootFilesystem`,
      ]),
    ),
  examples: {
    violating: [taskDefinition({ user: "1000" })],
    compliant: [taskDefinition({ user: "1000", readonlyRootFilesystem: true })],
  },
};
