import type { ServiceSpec } from "../../catalog/types";
import type { LocalSystemContext } from "./context";
import { orderProcessorHooks } from "./setup-hooks/orders";

export interface ServiceHookContext extends LocalSystemContext {
  service: ServiceSpec;
  /** The service's resolved environment (what its process gets). */
  env: Record<string, string>;
  /** `http://127.0.0.1:<port>` */
  url: string;
}

/** Per-service steps around the start of a service. A throw marks the service failed (others go on). */
export interface ServiceHooks {
  /**
   * After the dependencies are up and the service's database, user and tables exist, before its
   * process starts: e.g. seed its DynamoDB tables. Runs on every `npm start`, so make it idempotent.
   */
  beforeStart?(context: ServiceHookContext): Promise<void>;
  /** Once the service answers its readiness path with 200. */
  afterReady?(context: ServiceHookContext): Promise<void>;
}

/**
 * Hooks by catalog service name. Add an entry here (importing the service's own seeding code) to
 * prepare data for `npm start`; see docs/local-runner.md.
 */
export const serviceHooks: Record<string, ServiceHooks> = {
  "order-processor": orderProcessorHooks,
};
