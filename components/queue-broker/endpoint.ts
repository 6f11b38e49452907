/** The STOMP+TLS port Amazon MQ for ActiveMQ listens on. */
export const STOMP_TLS_PORT = 61614;

/**
 * The host of the STOMP endpoint among an instance's endpoints, e.g.
 * `stomp+ssl://b-1234-1.mq.eu-west-1.amazonaws.com:61614` → `b-1234-1.mq.eu-west-1.amazonaws.com`.
 */
export function stompHost(endpoints: readonly string[]): string {
  for (const endpoint of endpoints) {
    const match = /^stomp\+ssl:\/\/([^:/]+):\d+$/.exec(endpoint);
    if (match) return match[1]!;
  }
  throw new Error(`QueueBroker: no stomp+ssl endpoint among ${JSON.stringify(endpoints)}`);
}

/** The CloudWatch `Broker` dimension: Amazon MQ suffixes instance names with -1 (and -2 for the standby). */
export function brokerMetricName(brokerName: string, instance = 1): string {
  return `${brokerName}-${instance}`;
}
