import { createService, type Service } from "../../../lib/service-kit";
import { connectBus } from "../../oversupply-protocol/src/bus";
import { WEIGHTS_TOPIC } from "../../oversupply-protocol/src/destinations";
import { FEATURES, type WeightsVersion } from "../../oversupply-protocol/src/weights";
import { BackendClient } from "./backend-client";
import type { CruncherConfig } from "./config";
import { updateWeights } from "./update-rule";

export type CrunchResult =
  | { kind: "updated"; version: number; outcomes: number }
  | { kind: "too-few-outcomes"; outcomes: number }
  | { kind: "superseded" }
  | { kind: "failed"; reason: string };

export interface RunningCruncher {
  url: string;
  service: Service;
  /** Runs one recomputation now (the timer calls the same). */
  crunch(): Promise<CrunchResult>;
  close(): Promise<void>;
}

/**
 * Starts the cruncher: every `intervalMs` it reads the outcomes recorded since the current
 * weights version, applies the update rule, stores the new version in the backend and publishes
 * it on the weights topic. It keeps no state of its own: the backend's latest version says which
 * outcomes have been learned from, so any replica can run the next round after a restart.
 */
export async function startCruncher(config: CruncherConfig): Promise<RunningCruncher> {
  const service = createService({
    name: "oversupply-cruncher",
    port: config.port,
    readiness: {
      broker: async () => {
        if (!bus.connected) throw new Error("not connected to the broker");
      },
    },
  });
  const log = service.log;
  const bus = connectBus(config.activemq, log);
  const backend = new BackendClient(config.backendUrl, config.secret);
  const runs = service.metrics.counter({
    name: "oversupply_cruncher_runs_total",
    help: "Recomputations by result: updated, too-few-outcomes, superseded, failed.",
    labelNames: ["result"],
  });
  const version = service.metrics.gauge({
    name: "oversupply_weights_version",
    help: "The latest weights version.",
  });
  const weightGauge = service.metrics.gauge({
    name: "oversupply_weight",
    help: "The latest weight of each feature of the matcher's model.",
    labelNames: ["feature"],
  });
  /** A version stored but not yet published (the broker was down): published on the next round. */
  let unpublished: WeightsVersion | undefined;

  const publish = async (weights: WeightsVersion) => {
    unpublished = weights;
    await bus.send(WEIGHTS_TOPIC, JSON.stringify(weights), { "content-type": "application/json" });
    unpublished = undefined;
    log.info({ version: weights.version, weights: weights.weights }, "weights published");
  };

  let running: Promise<CrunchResult> | undefined;
  const crunchOnce = async (): Promise<CrunchResult> => {
    if (unpublished) await publish(unpublished);
    const current = await backend.currentWeights();
    version.set(current.version);
    for (const f of FEATURES) weightGauge.set({ feature: f }, current.weights[f]);
    const { outcomes, through } = await backend.outcomesAfter(current.outcomesThrough);
    if (outcomes.length < config.minOutcomes) return { kind: "too-few-outcomes", outcomes: outcomes.length };
    const next = updateWeights(current.weights, outcomes, config.learningRate);
    const stored = await backend.appendWeights(current.version, next, through);
    if (!stored) return { kind: "superseded" };
    version.set(stored.version);
    for (const f of FEATURES) weightGauge.set({ feature: f }, stored.weights[f]);
    await publish({ version: stored.version, weights: stored.weights, createdAt: stored.createdAt });
    return { kind: "updated", version: stored.version, outcomes: outcomes.length };
  };
  const crunch = () => {
    running ??= crunchOnce()
      .catch((error): CrunchResult => {
        log.warn({ err: error }, "recomputation failed; retrying next round");
        return { kind: "failed", reason: error instanceof Error ? error.message : String(error) };
      })
      .then((result) => {
        runs.inc({ result: result.kind });
        log.info(result, "recomputation done");
        return result;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => void crunch(), config.intervalMs);
  service.onClose(() => bus.close());
  service.onClose(async () => {
    clearInterval(timer);
    await running;
  });
  const url = await service.listen();
  return { url, service, crunch, close: () => service.close() };
}
