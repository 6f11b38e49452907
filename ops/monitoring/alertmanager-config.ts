import { stringify } from "yaml";

/**
 * Alertmanager locally: every alert to the webhook receiver (which prints it in the runner's
 * output and logs), critical ones at once and repeated hourly, warnings grouped for 30 s.
 * On AWS the same alerts go to SNS; on Kubernetes to kube-prometheus-stack's Alertmanager.
 */
export function alertmanagerConfig(webhookUrl: string): Record<string, unknown> {
  const receiver = { name: "local-webhook", webhook_configs: [{ url: webhookUrl, send_resolved: true }] };
  return {
    route: {
      receiver: "local-webhook",
      group_by: ["alertname", "service", "queue"],
      group_wait: "10s",
      group_interval: "1m",
      repeat_interval: "4h",
      routes: [
        {
          matchers: ['severity="critical"'],
          receiver: "local-webhook",
          group_wait: "0s",
          repeat_interval: "1h",
        },
      ],
    },
    inhibit_rules: [
      // a dependency down explains its services' errors: do not page for both
      {
        source_matchers: ['alertname=~"DatabaseDown|RedisDown"'],
        target_matchers: ['alertname="HighErrorRatio"'],
      },
    ],
    receivers: [receiver],
  };
}

export function alertmanagerConfigYaml(webhookUrl: string): string {
  return stringify(alertmanagerConfig(webhookUrl), { lineWidth: 0 });
}
