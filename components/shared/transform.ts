import type * as pulumi from "@pulumi/pulumi";

/**
 * The escape hatch for every child resource (as in SST): either a partial args object merged over
 * the component's args, or a function that edits the args and options in place.
 */
export type Transform<Args> =
  | Partial<Args>
  | ((args: Args, opts: pulumi.CustomResourceOptions, name: string) => void);

/** Applies a child's transform and returns the constructor arguments `[name, args, opts]`. */
export function transform<Args extends object>(
  hook: Transform<Args> | undefined,
  name: string,
  args: Args,
  opts: pulumi.CustomResourceOptions,
): [string, Args, pulumi.CustomResourceOptions] {
  if (typeof hook === "function") {
    hook(args, opts, name);
    return [name, args, opts];
  }
  return [name, { ...args, ...hook }, opts];
}
