export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  points: [number, number][];
}

/** The few Prometheus HTTP API calls the status page needs. */
export class PrometheusClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 4000,
  ) {}

  private async get<T>(path: string, params: Record<string, string>): Promise<T> {
    const url = `${this.baseUrl}${path}?${new URLSearchParams(params)}`;
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`Prometheus: ${body.error ?? response.status}`);
    return body.data;
  }

  async query(promql: string): Promise<Sample[]> {
    const data = await this.get<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
      "/api/v1/query",
      {
        query: promql,
      },
    );
    return data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }

  async range(promql: string, seconds: number, stepSeconds: number): Promise<Series[]> {
    const end = Date.now() / 1000;
    const data = await this.get<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
      "/api/v1/query_range",
      { query: promql, start: String(end - seconds), end: String(end), step: String(stepSeconds) },
    );
    return data.result.map((r) => ({ labels: r.metric, points: r.values.map(([t, v]) => [t, Number(v)]) }));
  }

  async firingAlerts(): Promise<
    { labels: Record<string, string>; annotations: Record<string, string>; state: string }[]
  > {
    const data = await this.get<{
      alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string }[];
    }>("/api/v1/alerts", {});
    return data.alerts;
  }
}
