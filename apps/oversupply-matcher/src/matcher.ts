import { createService, type Service } from "../../../lib/service-kit";
import { connectBus } from "../../oversupply-protocol/src/bus";
import { MATCH_REQUESTS_QUEUE, WEIGHTS_TOPIC } from "../../oversupply-protocol/src/destinations";
import { parseWeightsVersion } from "../../oversupply-protocol/src/weights";
import type { MatcherConfig } from "./config";
import { sleep } from "./delivery/backoff";
import { handleMatchRequest, matcherMetrics } from "./handle-match-request";
import { DEMAND_PARTNERS } from "./partners/demand-partners";
import { CurrentWeights } from "./weights/current-weights";
import { fetchCurrentWeights } from "./weights/fetch-weights";

export interface RunningMatcher {
  url: string;
  service: Service;
  weights: CurrentWeights;
  close(): Promise<void>;
}

/**
 * Starts a matcher: subscribes to weights updates, loads the current weights from the backend,
 * and only then starts consuming match requests, so no recommendation is made with unknown weights.
 */
export async function startMatcher(config: MatcherConfig): Promise<RunningMatcher> {
  const weights = new CurrentWeights();
  const stopping = new AbortController();
  let consuming = false;
  const service = createService({
    name: "oversupply-matcher",
    port: config.port,
    readiness: {
      broker: async () => {
        if (!bus.connected) throw new Error("not connected to the broker");
      },
      weights: async () => {
        if (!weights.get()) throw new Error("current weights not loaded yet");
      },
    },
  });
  const log = service.log;
  const bus = connectBus(config.activemq, log);
  const metrics = matcherMetrics(service.metrics);
  weights.onChange((current) => {
    metrics.weightsVersion.set(current.version);
    log.info({ version: current.version, weights: current.weights }, "weights applied");
  });

  bus.subscribe(WEIGHTS_TOPIC, async (message) => {
    try {
      weights.offer(parseWeightsVersion(JSON.parse(message.body)));
    } catch (error) {
      log.warn({ err: error }, "ignored a malformed weights message");
    }
  });

  const startConsuming = () => {
    if (consuming) return;
    consuming = true;
    bus.subscribe(
      MATCH_REQUESTS_QUEUE,
      (message) =>
        handleMatchRequest(message, {
          weights,
          partners: DEMAND_PARTNERS,
          callbackUrl: new URL("/callbacks/recommendation", config.backendUrl).toString(),
          secret: config.callbackSecret,
          delivery: config.delivery,
          metrics,
          log,
          signal: stopping.signal,
        }),
      { prefetch: config.prefetch, concurrency: config.prefetch },
    );
    log.info({ prefetch: config.prefetch }, "consuming match requests");
  };

  // The backend is the source of truth for the current version; the topic brings changes sooner.
  const refreshWeights = async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        weights.offer(await fetchCurrentWeights(config.backendUrl));
        failures = 0;
        startConsuming();
        await sleep(config.weightsRefreshMs, stopping.signal);
      } catch (error) {
        if (stopping.signal.aborted) return;
        failures++;
        log.warn({ err: error, failures }, "could not load the current weights from the backend; retrying");
        await sleep(Math.min(10_000, 500 * failures), stopping.signal).catch(() => undefined);
      }
    }
  };
  const refreshing = refreshWeights();

  service.onClose(() => bus.close());
  service.onClose(async () => {
    stopping.abort(new Error("matcher is shutting down"));
    await refreshing;
  });
  const url = await service.listen();
  return { url, service, weights, close: () => service.close() };
}
