import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import type { Outcome } from "./tally";

/** Posts JSON bodies to one URL over node:http, with or without connection reuse. */
export class Sender {
  readonly agent: Agent;

  constructor(
    private readonly url: URL,
    options: { keepAlive: boolean; maxSockets: number; timeoutMs: number },
  ) {
    this.agent = new Agent({
      keepAlive: options.keepAlive,
      // Without keep-alive every request opens a connection of its own: bursts really are at once.
      maxSockets: options.keepAlive ? options.maxSockets : Number.POSITIVE_INFINITY,
      maxFreeSockets: options.keepAlive ? options.maxSockets : 256,
    });
    this.timeoutMs = options.timeoutMs;
  }

  private readonly timeoutMs: number;
  /** Request ids are `tgibf-<run>-<n>`: one run's requests are easy to find in the webhook's logs. */
  private readonly runId = randomBytes(4).toString("hex");
  private sent = 0;

  post(body: string): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const settle = (outcome: Outcome) => {
        if (!settled) {
          settled = true;
          resolve(outcome);
        }
      };
      const req = request(
        this.url,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "x-request-id": `tgibf-${this.runId}-${++this.sent}`,
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => settle({ status: res.statusCode ?? 0 }));
          res.on("error", (error: NodeJS.ErrnoException) => settle({ error: error.code ?? error.name }));
        },
      );
      req.setTimeout(this.timeoutMs, () => {
        settle({ error: "TIMEOUT" });
        req.destroy();
      });
      req.on("error", (error: NodeJS.ErrnoException) => settle({ error: error.code ?? error.name }));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
