/** Backend → matchers: one message per registration; matchers are competing consumers. */
export const MATCH_REQUESTS_QUEUE = "/queue/oversupply.match-requests";
/** Cruncher → every matcher: each new weights version, as it is stored by the backend. */
export const WEIGHTS_TOPIC = "/topic/oversupply.weights";
