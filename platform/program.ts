import { dirname, join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../catalog/types";
import { loadPlatformConfig } from "./config";
import { realize } from "./realizations";

/** The Pulumi program for any catalog: config → the chosen realization → stack outputs. */
export function platformProgram(catalog: Catalog): Record<string, unknown> {
  const config = loadPlatformConfig();
  return realize(config.realization, {
    config,
    catalog,
    stack: pulumi.getStack(),
    repoRoot: join(dirname(__filename), ".."),
  });
}
