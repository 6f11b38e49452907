import type { ServiceSpec } from "../types";

/** The orders system's services. */
export const ordersServices: ServiceSpec[] = [];
