import type { ServiceSpec } from "../types";

/** The call-events system's services. */
export const callEventsServices: ServiceSpec[] = [];
