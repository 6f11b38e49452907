import assert from "node:assert/strict";
import {
  KubernetesObservabilityStack,
  PROMETHEUS_RELEASE,
} from "../../components/observability-stack/kubernetes";
import { type RecordedResource, reveal, runUnderMocks, Secret, single } from "../harness/pulumi-mocks";

type AlertmanagerValues = {
  config?: { receivers: { name: string; webhook_configs?: { url: unknown }[] }[] };
};

/** The kube-prometheus-stack release of an otherwise empty observability stack. */
async function prometheusRelease(alertWebhookUrls?: string[]): Promise<RecordedResource> {
  const { resources } = await runUnderMocks(() => {
    new KubernetesObservabilityStack("obs", {
      namePrefix: "battle-ready-test",
      alertDefinitions: [],
      systems: [],
      namespace: "monitoring",
      appNamespace: "apps",
      services: [],
      exporters: [],
      ...(alertWebhookUrls ? { alertWebhookUrls } : {}),
    });
  });
  return single(resources, "kubernetes:helm.sh/v3:Release", `obs-${PROMETHEUS_RELEASE}`);
}

const alertmanagerOf = (release: RecordedResource) =>
  (reveal(release.inputs.values) as { alertmanager: AlertmanagerValues }).alertmanager;

describe("kubernetes observability: the stack's webhooks reach Alertmanager", () => {
  it("gives kube-prometheus-stack's Alertmanager a route to every webhook, the URL kept secret", async () => {
    const release = await prometheusRelease(["https://hooks.example.com/t0ken"]);
    assert.ok(release.inputs.values instanceof Secret, "the values carry the webhook's token: secret");
    const platform = alertmanagerOf(release).config?.receivers.find((r) => r.name === "platform");
    assert.equal(platform?.webhook_configs?.[0]?.url, "https://hooks.example.com/t0ken");
  });

  it("keeps the chart's own Alertmanager configuration when the stack has no webhook", async () => {
    assert.equal(alertmanagerOf(await prometheusRelease()).config, undefined);
  });
});
