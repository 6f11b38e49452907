import {
  Counter,
  type CounterConfiguration,
  collectDefaultMetrics,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  type Metric,
  Registry,
} from "prom-client";

type WithoutRegisters<C> = Omit<C, "registers">;

/** Every metric of one service, on its own registry (served at the metrics path). */
export interface ServiceMetrics {
  registry: Registry;
  /** Creates a counter on the service's registry; the same name again returns the existing one. */
  counter<T extends string>(config: WithoutRegisters<CounterConfiguration<T>>): Counter<T>;
  gauge<T extends string>(config: WithoutRegisters<GaugeConfiguration<T>>): Gauge<T>;
  histogram<T extends string>(config: WithoutRegisters<HistogramConfiguration<T>>): Histogram<T>;
}

/** Request duration buckets in seconds: fine-grained below 100 ms, where a healthy service lives. */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The route label of a request that matched no route, so raw URLs never become label values. */
export const UNMATCHED_ROUTE = "unmatched";

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });

  function existingOr<M extends Metric<string>>(name: string, create: () => M): M {
    return (registry.getSingleMetric(name) as M | undefined) ?? create();
  }

  return {
    registry,
    counter: (config) => existingOr(config.name, () => new Counter({ ...config, registers: [registry] })),
    gauge: (config) => existingOr(config.name, () => new Gauge({ ...config, registers: [registry] })),
    histogram: (config) => existingOr(config.name, () => new Histogram({ ...config, registers: [registry] })),
  };
}

type HttpLabels = { method: string; route: string; status_code: string };

/**
 * RED metrics of the HTTP server: `http_requests_total` and `http_request_duration_seconds`, by
 * method, route pattern and status code. Label objects are cached per (route, method, status), so
 * recording a request allocates nothing once a combination has been seen.
 */
export class HttpMetrics {
  private readonly requests: Counter<keyof HttpLabels>;
  private readonly duration: Histogram<keyof HttpLabels>;
  private readonly labelCache = new Map<string, Map<string, Map<number, HttpLabels>>>();

  constructor(metrics: ServiceMetrics) {
    this.requests = metrics.counter({
      name: "http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status code.",
      labelNames: ["method", "route", "status_code"],
    });
    this.duration = metrics.histogram({
      name: "http_request_duration_seconds",
      help: "Time from receiving a request to finishing its response, by method, route pattern and status code.",
      labelNames: ["method", "route", "status_code"],
      buckets: HTTP_DURATION_BUCKETS,
    });
  }

  record(method: string, route: string, status: number, durationMs: number): void {
    const labels = this.labelsFor(method, route, status);
    this.requests.inc(labels);
    this.duration.observe(labels, durationMs / 1000);
  }

  private labelsFor(method: string, route: string, status: number): HttpLabels {
    let byMethod = this.labelCache.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.labelCache.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let labels = byStatus.get(status);
    if (labels === undefined) {
      labels = { method, route, status_code: String(status) };
      byStatus.set(status, labels);
    }
    return labels;
  }
}
