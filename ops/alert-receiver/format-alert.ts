/** The body Alertmanager POSTs to a webhook (version 4). */
export interface AlertmanagerWebhook {
  status: "firing" | "resolved";
  receiver?: string;
  groupKey?: string;
  alerts: {
    status: "firing" | "resolved";
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt?: string;
  }[];
}

export interface AlertLogLine {
  level: "info" | "warn" | "error";
  time: string;
  service: "alert-receiver";
  alertname: string;
  status: string;
  severity: string;
  labels: Record<string, string>;
  startsAt: string;
  runbook?: string;
  msg: string;
}

/**
 * One log line per alert: a firing critical alert at `error`, a firing warning at `warn` (both
 * echoed on the runner's console), a resolved one at `info`.
 */
export function alertLogLines(body: AlertmanagerWebhook, now = new Date()): AlertLogLine[] {
  if (!body || !Array.isArray(body.alerts))
    throw new Error("not an Alertmanager webhook body: alerts is missing");
  return body.alerts.map((alert) => {
    const name = alert.labels.alertname ?? "unnamed";
    const severity = alert.labels.severity ?? "warning";
    const firing = alert.status === "firing";
    const level = !firing ? "info" : severity === "critical" ? "error" : "warn";
    const what = alert.annotations.description ?? alert.annotations.summary ?? "";
    return {
      level,
      time: now.toISOString(),
      service: "alert-receiver",
      alertname: name,
      status: alert.status,
      severity,
      labels: alert.labels,
      startsAt: alert.startsAt,
      runbook: alert.annotations.runbook_url,
      msg: `ALERT ${alert.status.toUpperCase()} ${name} [${severity}]: ${what}`,
    };
  });
}
