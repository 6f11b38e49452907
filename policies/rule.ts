import type { Example, PolicyGroup, Props, ResourcePolicy } from "./policy";

/**
 * A resource policy that holds when `holds(props)` is true: the common shape of most security
 * rules (one property, one expected value). Policies with more logic implement `check` themselves.
 */
export function rule(spec: {
  name: string;
  group?: PolicyGroup;
  control: string;
  description: string;
  type: string | string[];
  holds: (props: Props, settings: Record<string, unknown>) => boolean;
  message: string;
  defaults?: Record<string, unknown>;
  violating: Props[];
  compliant: Props[];
  /** Settings the examples are checked with, over the defaults. */
  exampleSettings?: Record<string, unknown>;
}): ResourcePolicy {
  const types = Array.isArray(spec.type) ? spec.type : [spec.type];
  const example = (props: Props): Example[] => [{ type: types[0]!, props }];
  return {
    kind: "resource",
    name: spec.name,
    group: spec.group ?? "security",
    control: spec.control,
    description: spec.description,
    types,
    defaults: spec.defaults,
    check: (props, _resource, settings) => (spec.holds(props, settings) ? [] : [spec.message]),
    examples: {
      violating: spec.violating.map(example),
      compliant: spec.compliant.map(example),
      settings: spec.exampleSettings,
    },
  };
}
