import { stringify } from "yaml";

export interface ScrapeService {
  name: string;
  system: string;
  /** `host:port` */
  address: string;
  metricsPath: string;
}

export interface PrometheusConfigInput {
  services: readonly ScrapeService[];
  /** Job name → `host:port` of an exporter (mysql, redis, activemq, ops). */
  exporters: Record<string, string>;
  /** `host:port` of Alertmanager, when one runs. */
  alertmanager?: string;
  ruleFiles: string[];
  scrapeInterval?: string;
}

/**
 * The local Prometheus configuration: one job for all catalog services (each target labelled
 * `service`, `system` and `role="service"`, which the ServiceDown rule selects), one job per exporter.
 * `honor_labels` keeps the `service` label services put on their own metrics.
 */
export function prometheusConfig(input: PrometheusConfigInput): Record<string, unknown> {
  const interval = input.scrapeInterval ?? "5s";
  const byPath = new Map<string, ScrapeService[]>();
  for (const s of input.services) byPath.set(s.metricsPath, [...(byPath.get(s.metricsPath) ?? []), s]);
  const serviceJobs = [...byPath].map(([metricsPath, services], index) => ({
    job_name: index === 0 ? "services" : `services-${index}`,
    metrics_path: metricsPath,
    honor_labels: true,
    static_configs: services.map((s) => ({
      targets: [s.address],
      labels: { service: s.name, system: s.system, role: "service" },
    })),
  }));
  const exporterJobs = Object.entries(input.exporters).map(([job, address]) => ({
    job_name: job,
    static_configs: [{ targets: [address], labels: { role: "exporter" } }],
  }));
  return {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: input.ruleFiles,
    ...(input.alertmanager
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [input.alertmanager] }] }] } }
      : {}),
    scrape_configs: [...serviceJobs, ...exporterJobs],
  };
}

export function prometheusConfigYaml(input: PrometheusConfigInput): string {
  return stringify(prometheusConfig(input), { lineWidth: 0 });
}
