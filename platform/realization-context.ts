import type { Catalog } from "../catalog/types";
import type { PlatformConfig } from "./config";

/** Everything a realization is built from. */
export interface RealizationContext {
  config: PlatformConfig;
  catalog: Catalog;
  /** The Pulumi stack's name (names and tags only: behaviour comes from `config`). */
  stack: string;
  /** The repository root (image build context). */
  repoRoot: string;
}

/** A realization turns the catalog and config into resources and returns the stack outputs. */
export type Realization = (context: RealizationContext) => Record<string, unknown>;
