/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack policies --policy-pack-config
 * policies/config/<stack>.json`. Tests never import this file (the PolicyPack constructor starts
 * the analyzer's gRPC server); they use ./in-process.ts over the same registry.
 */
import { PolicyPack, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { configSchemaOf, validateResource, validateStack } from "./policy";
import { policies } from "./registry";

new PolicyPack("battle-ready", {
  enforcementLevel: "mandatory",
  policies: policies.map((policy): ResourceValidationPolicy | StackValidationPolicy => {
    const common = {
      name: policy.name,
      description: `${policy.description} [${policy.group}; ${policy.control}]`,
      configSchema: configSchemaOf(policy),
    };
    return policy.kind === "resource"
      ? { ...common, validateResource: validateResource(policy) }
      : { ...common, validateStack: validateStack(policy) };
  }),
});
