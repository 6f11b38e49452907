import { integerAt, objectAt } from "../../oversupply-protocol/src/checks";
import { signatureHeaders } from "../../oversupply-protocol/src/signature";
import {
  parseFeatureValues,
  parseWeightsVersion,
  type Weights,
  type WeightsVersion,
} from "../../oversupply-protocol/src/weights";
import type { LabelledOutcome } from "./update-rule";

export interface StoredWeights extends WeightsVersion {
  outcomesThrough: number;
}

const TIMEOUT_MS = 10_000;
const PAGE = 1000;

/** The cruncher's view of the backend: it owns the outcomes and the weights history. */
export class BackendClient {
  constructor(
    private readonly baseUrl: string,
    private readonly secret: string,
  ) {}

  private async get(path: string): Promise<unknown> {
    const response = await fetch(new URL(path, this.baseUrl), { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    return response.json();
  }

  async currentWeights(): Promise<StoredWeights> {
    const body = await this.get("/weights/current");
    return {
      ...parseWeightsVersion(body),
      outcomesThrough: integerAt(objectAt(body, "body").outcomesThrough, "outcomesThrough", 0),
    };
  }

  /** Every outcome after `afterId`, oldest first, with the id of the last one. */
  async outcomesAfter(afterId: number): Promise<{ outcomes: LabelledOutcome[]; through: number }> {
    const outcomes: LabelledOutcome[] = [];
    let through = afterId;
    for (;;) {
      const page = objectAt(await this.get(`/outcomes?after=${through}&limit=${PAGE}`), "body");
      const items = page.outcomes as { outcome: "accepted" | "rejected"; features: unknown }[];
      for (const item of items)
        outcomes.push({ outcome: item.outcome, features: parseFeatureValues(item.features) });
      through = integerAt(page.next, "next", 0);
      if (items.length < PAGE) return { outcomes, through };
    }
  }

  /** Stores a new version; undefined when another one was stored since `basedOnVersion`. */
  async appendWeights(
    basedOnVersion: number,
    weights: Weights,
    outcomesThrough: number,
  ): Promise<StoredWeights | undefined> {
    const body = JSON.stringify({ basedOnVersion, weights, outcomesThrough });
    const response = await fetch(new URL("/weights", this.baseUrl), {
      method: "POST",
      headers: { "content-type": "application/json", ...signatureHeaders(this.secret, body) },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (response.status === 409) return undefined;
    if (response.status !== 201)
      throw new Error(`POST /weights answered ${response.status}: ${await response.text()}`);
    const stored = await response.json();
    return { ...parseWeightsVersion(stored), outcomesThrough };
  }
}
