import type { ServiceSpec } from "../types";

/** The oversupply system's services. */
export const oversupplyServices: ServiceSpec[] = [];
