import type { ServiceSpec } from "../types";

/** The buffs system's services. */
export const buffsServices: ServiceSpec[] = [];
