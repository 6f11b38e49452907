import type { RealizationName } from "../components/shared/realization";
import { deployAws } from "./aws";
import { deployKubernetes } from "./kubernetes";
import type { Realization, RealizationContext } from "./realization-context";

/** Each realization by the name config key `realization` selects. */
export const realizations: Partial<Record<RealizationName, Realization>> = {
  aws: deployAws,
  kubernetes: deployKubernetes,
};

export function realize(name: RealizationName, context: RealizationContext): Record<string, unknown> {
  const realization = realizations[name];
  if (!realization)
    throw new Error(
      `config battle-ready:realization: ${name} is not available (available: ${Object.keys(realizations).join(", ")})`,
    );
  return realization(context);
}
