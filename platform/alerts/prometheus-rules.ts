import { type AlertDefinition, alertDefinitions } from "./definitions";

/** One Prometheus alerting rule, as in a rules file or a PrometheusRule's `spec.groups[].rules`. */
export interface PrometheusAlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PrometheusRuleGroup {
  name: string;
  rules: PrometheusAlertRule[];
}

export interface RenderOptions {
  /** Base of the runbook links; each alert links to `<base>#<id in lower case>`. */
  runbookBase?: string;
  /** Extra labels on every rule (e.g. `{ environment: "prod" }`). */
  labels?: Record<string, string>;
  /** The group's name. Default `battle-ready`. */
  groupName?: string;
}

export const DEFAULT_RUNBOOK_BASE = "docs/operations/alerts.md";

/**
 * Renders the alert definitions that have a PromQL rule into Prometheus rule groups: the same
 * groups go into the local Prometheus's rules file (`{ groups }` as YAML) and into a Kubernetes
 * PrometheusRule (`spec: { groups }`). Definitions without a `prometheus` rule are AWS-only.
 */
export function renderPrometheusRules(
  definitions: readonly AlertDefinition[] = alertDefinitions,
  options: RenderOptions = {},
): PrometheusRuleGroup[] {
  const runbookBase = options.runbookBase ?? DEFAULT_RUNBOOK_BASE;
  const rules = definitions.flatMap((definition): PrometheusAlertRule[] => {
    if (!definition.prometheus) return [];
    return [
      {
        alert: definition.id,
        expr: definition.prometheus.expr,
        for: definition.prometheus.for,
        labels: { severity: definition.severity, ...options.labels },
        annotations: {
          summary: definition.summary,
          ...(definition.description ? { description: definition.description } : {}),
          runbook_url: `${runbookBase}#${definition.id.toLowerCase()}`,
        },
      },
    ];
  });
  return [{ name: options.groupName ?? "battle-ready", rules }];
}
