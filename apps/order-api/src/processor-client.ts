import { requestIdHeaders } from "../../../lib/service-kit";

/** Where the processor is: a fixed URL, or one found through DNS SRV per call. */
export interface ProcessorLocator {
  baseUrl(): Promise<string>;
  /** Called after a connection failure so the next call looks the processor up again. */
  forget?(): void;
}

export function fixedLocator(url: string): ProcessorLocator {
  const base = url.replace(/\/+$/, "");
  return { baseUrl: async () => base };
}

/** The processor could not be found or connected to. `mayHaveArrived` is false when it surely never saw the request. */
export class ProcessorUnreachableError extends Error {
  override name = "ProcessorUnreachableError";
  constructor(
    message: string,
    readonly mayHaveArrived: boolean,
  ) {
    super(message);
  }
}

export class ProcessorTimeoutError extends Error {
  override name = "ProcessorTimeoutError";
}

export type ProcessorAnswer =
  | { kind: "confirmed"; total_price: number; processed_at: string }
  /** The processor refused the order (4xx): its status and reason go back to the client. */
  | { kind: "rejected"; status: number; detail: string }
  /** The processor failed (5xx or a malformed answer): it may or may not have taken stock. */
  | { kind: "failed"; status: number; detail: string };

/** A reservation the processor still holds, waiting for a commit or a release. */
export interface HeldStock {
  order_id: string;
  product_id: string;
  quantity: number;
  reserved_at: string;
}

/** What one tombstone pruning pass on the processor did. */
export interface PruneAnswer {
  pruned: number;
  largest: { product_id: string; tombstones: number } | null;
}

export interface ReserveBody {
  order_id: string;
  product_id: string;
  quantity: number;
  customer_id: string;
}

/** Connection errors that prove the request never reached the processor. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENODATA",
]);

function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as { code?: string }).code;
}

function detailOf(body: unknown, status: number): string {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === "string" && detail.length > 0) return detail.slice(0, 500);
  return `order processor answered ${status}`;
}

export class ProcessorClient {
  constructor(
    private readonly locator: ProcessorLocator,
    /** The original's timeout for a processor call. */
    private readonly timeoutMs = 5_000,
  ) {}

  async reserve(body: ReserveBody): Promise<ProcessorAnswer> {
    const { status, json } = await this.post("/process-order", body);
    if (status >= 400 && status < 500) return { kind: "rejected", status, detail: detailOf(json, status) };
    if (status !== 200) return { kind: "failed", status, detail: detailOf(json, status) };
    const answer = json as { status?: unknown; total_price?: unknown; processed_at?: unknown } | null;
    if (typeof answer?.total_price !== "number" || typeof answer.processed_at !== "string")
      return { kind: "failed", status: 502, detail: "order processor answered an unexpected body" };
    return { kind: "confirmed", total_price: answer.total_price, processed_at: answer.processed_at };
  }

  /** Returns the stock held for an order (idempotent on the processor). Throws unless it settled. */
  async release(orderId: string, productId: string): Promise<void> {
    const { status, json } = await this.post("/release-order", { order_id: orderId, product_id: productId });
    // 404: the product is gone, so there is nothing to return stock to.
    if (status !== 200 && status !== 404)
      throw new Error(`release answered ${status}: ${detailOf(json, status)}`);
  }

  /** Drops the hold of a stored order (idempotent on the processor). Throws unless it settled. */
  async commit(orderId: string, productId: string): Promise<void> {
    const { status, json } = await this.post("/commit-order", { order_id: orderId, product_id: productId });
    if (status !== 200 && status !== 404)
      throw new Error(`commit answered ${status}: ${detailOf(json, status)}`);
  }

  /** Holds older than `olderThanSeconds` that nobody committed or released. */
  async staleHolds(olderThanSeconds: number, limit = 100): Promise<HeldStock[]> {
    const { status, json } = await this.call(
      "GET",
      `/holds?older_than_seconds=${olderThanSeconds}&limit=${limit}`,
      undefined,
      this.timeoutMs,
    );
    if (status !== 200) throw new Error(`listing holds answered ${status}: ${detailOf(json, status)}`);
    const holds = (json as { holds?: unknown } | null)?.holds;
    if (!Array.isArray(holds)) throw new Error("listing holds answered an unexpected body");
    return holds as HeldStock[];
  }

  /** Removes `released` tombstones older than `olderThanSeconds`; answers how many, and the largest count left. */
  async pruneTombstones(olderThanSeconds: number, limit = 1_000): Promise<PruneAnswer> {
    const { status, json } = await this.post("/prune-tombstones", {
      older_than_seconds: olderThanSeconds,
      limit,
    });
    if (status !== 200) throw new Error(`pruning tombstones answered ${status}: ${detailOf(json, status)}`);
    const answer = json as PruneAnswer | null;
    if (typeof answer?.pruned !== "number") throw new Error("pruning tombstones answered an unexpected body");
    return answer;
  }

  /** Throws when the processor or its DynamoDB is not healthy. */
  async health(timeoutMs = 2_000): Promise<void> {
    const { status, json } = await this.call("GET", "/health", undefined, timeoutMs);
    if (status !== 200) throw new Error(detailOf(json, status));
  }

  private post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    return this.call("POST", path, body, this.timeoutMs);
  }

  private async call(
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
  ): Promise<{ status: number; json: unknown }> {
    let base: string;
    try {
      base = await this.locator.baseUrl();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ProcessorUnreachableError(`order processor could not be discovered: ${reason}`, false);
    }
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...requestIdHeaders(),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      let json: unknown = null;
      try {
        json = text.length > 0 ? JSON.parse(text) : null;
      } catch {
        // a non-JSON body (a proxy's error page): the status alone decides
      }
      return { status: response.status, json };
    } catch (error) {
      if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
        throw new ProcessorTimeoutError(`order processor did not answer within ${timeoutMs} ms`);
      this.locator.forget?.();
      const code = errorCode(error);
      throw new ProcessorUnreachableError(
        `order processor unreachable (${code ?? (error instanceof Error ? error.message : String(error))})`,
        code === undefined || !NOT_SENT.has(code),
      );
    }
  }
}
