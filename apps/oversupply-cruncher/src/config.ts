import { EnvError, readEnv } from "../../../lib/service-kit";
import { type BrokerConfig, readBrokerConfig } from "../../oversupply-protocol/src/broker-config";

export interface CruncherConfig {
  port: number;
  backendUrl: string;
  /** Signs `POST /weights` to the backend (the secret the matcher's callbacks use). */
  secret: string;
  activemq: BrokerConfig;
  /** Time between two recomputations. */
  intervalMs: number;
  /** Step size of the update rule, in (0, 5]. */
  learningRate: number;
  /** New outcomes needed before a new version is computed: fewer is noise. */
  minOutcomes: number;
}

export function readCruncherConfig(env: NodeJS.ProcessEnv = process.env): CruncherConfig {
  const read = readEnv(env);
  const rateText = read.string("LEARNING_RATE", "0.5");
  const learningRate = Number(rateText);
  if (!(learningRate > 0 && learningRate <= 5))
    throw new EnvError(
      "LEARNING_RATE",
      `LEARNING_RATE must be a number in (0, 5] (got ${JSON.stringify(rateText)})`,
    );
  return {
    port: read.int("PORT", 8103, { min: 0, max: 65535 }),
    backendUrl: read.string("BACKEND_URL"),
    secret: read.string("CALLBACK_SECRET"),
    activemq: readBrokerConfig(env),
    intervalMs: read.int("CRUNCH_INTERVAL_MS", 300_000, { min: 100, max: 86_400_000 }),
    learningRate,
    minOutcomes: read.int("MIN_OUTCOMES", 5, { min: 1, max: 100_000 }),
  };
}
