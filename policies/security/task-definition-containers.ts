import type { Props } from "../policy";

/** An ECS container definition as the task definition's JSON holds it. */
export interface ContainerDefinition {
  name: string;
  user?: string;
  readonlyRootFilesystem?: boolean;
  privileged?: boolean;
  environment?: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
  logConfiguration?: { logDriver: string };
}

/** The containers of an `aws:ecs/taskDefinition:TaskDefinition` (its `containerDefinitions` is a JSON string). */
export function containersOf(props: Props): ContainerDefinition[] {
  const raw = props.containerDefinitions;
  if (typeof raw !== "string") return Array.isArray(raw) ? raw : [];
  try {
    return JSON.parse(raw) as ContainerDefinition[];
  } catch {
    return [];
  }
}

export const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

export function taskDefinition(
  ...containers: Partial<ContainerDefinition>[]
): { type: string; props: Props }[] {
  return [
    {
      type: TASK_DEFINITION,
      props: {
        family: "svc",
        containerDefinitions: JSON.stringify(containers.map((c) => ({ name: "app", ...c }))),
      },
    },
  ];
}
