/**
 * Optional Prometheus metrics of a STOMP client. The client takes any registry factory shaped like
 * the service kit's `ServiceMetrics` (prom-client underneath), so lib/stomp depends on no kit.
 */

interface CounterLike {
  inc(labels: Record<string, string>, value?: number): void;
}
interface GaugeLike {
  set(labels: Record<string, string>, value: number): void;
}
interface HistogramLike {
  observe(labels: Record<string, string>, value: number): void;
}
interface MetricConfig {
  name: string;
  help: string;
  labelNames?: readonly string[];
  buckets?: number[];
}

/** Structurally the service kit's `ServiceMetrics`: pass `service.metrics`. */
export interface StompMetricsFactory {
  counter(config: MetricConfig): CounterLike;
  gauge(config: MetricConfig): GaugeLike;
  histogram(config: MetricConfig): HistogramLike;
}

export type SendOutcome = "stored" | "unavailable" | "timeout" | "refused";
export type DeliveryOutcome = "ack" | "release" | "nack";

export class StompMetrics {
  private readonly connected: GaugeLike;
  private readonly connections: CounterLike;
  private readonly sends: CounterLike;
  private readonly deliveries: CounterLike;
  private readonly handlerDuration: HistogramLike;

  constructor(
    factory: StompMetricsFactory,
    private readonly broker: string,
  ) {
    this.connected = factory.gauge({
      name: "stomp_connected",
      help: "1 while the STOMP client is connected to the broker, else 0.",
      labelNames: ["broker"],
    });
    this.connections = factory.counter({
      name: "stomp_connections_total",
      help: "STOMP connections established (the first one and every reconnection).",
      labelNames: ["broker"],
    });
    this.sends = factory.counter({
      name: "stomp_sent_total",
      help: "Messages sent, by destination and outcome: stored (receipt), unavailable, timeout, refused (ERROR).",
      labelNames: ["destination", "outcome"],
    });
    this.deliveries = factory.counter({
      name: "stomp_received_total",
      help: "Messages handled, by destination and outcome: ack, release (handed back for retry), nack.",
      labelNames: ["destination", "outcome"],
    });
    this.handlerDuration = factory.histogram({
      name: "stomp_handler_duration_seconds",
      help: "Time a subscription handler took per message, by destination.",
      labelNames: ["destination"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    });
    this.connected.set({ broker }, 0);
  }

  connectionUp(): void {
    this.connected.set({ broker: this.broker }, 1);
    this.connections.inc({ broker: this.broker });
  }

  connectionDown(): void {
    this.connected.set({ broker: this.broker }, 0);
  }

  sent(destination: string, outcome: SendOutcome): void {
    this.sends.inc({ destination, outcome });
  }

  handled(destination: string, outcome: DeliveryOutcome, seconds: number): void {
    this.deliveries.inc({ destination, outcome });
    this.handlerDuration.observe({ destination }, seconds);
  }
}
