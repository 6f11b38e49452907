import type { ServiceSpec } from "../types";

/** The todo system's services. */
export const todoServices: ServiceSpec[] = [];
