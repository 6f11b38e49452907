import { createServer, type Server } from "node:http";

export interface MetricFamily {
  name: string;
  help: string;
  type: "gauge" | "counter";
  samples: { labels?: Record<string, string>; value: number }[];
}

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

/** Prometheus text exposition format 0.0.4. */
export function exposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {})
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(",");
      lines.push(`${family.name}${labels ? `{${labels}}` : ""} ${sample.value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** A tiny exporter: `/metrics` answers `collect()`'s families, `/healthz` answers ok. */
export function serveMetrics(
  port: number,
  collect: () => Promise<MetricFamily[]> | MetricFamily[],
): Promise<Server> {
  const server = createServer(async (request, response) => {
    if (request.url === "/healthz") return response.end("ok\n");
    if (request.url !== "/metrics") {
      response.statusCode = 404;
      return response.end("not found: try /metrics\n");
    }
    try {
      const body = exposition(await collect());
      response.setHeader("content-type", "text/plain; version=0.0.4; charset=utf-8");
      response.end(body);
    } catch (error) {
      response.statusCode = 500;
      response.end(`collection failed: ${(error as Error).message}\n`);
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}
