import { randomBytes } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import { rootCertificates } from "node:tls";
import type { Outcome } from "./tally";

export interface SenderOptions {
  keepAlive: boolean;
  maxSockets: number;
  timeoutMs: number;
  /**
   * PEM of extra CAs to trust for an https:// target, besides Node's bundled roots (and
   * NODE_EXTRA_CA_CERTS, which Node reads at start). @default none
   */
  ca?: string;
}

/**
 * Posts JSON bodies to one URL over node:http or node:https (by the URL's scheme), with or without
 * connection reuse. Certificates are always verified.
 */
export class Sender {
  readonly agent: http.Agent;
  private readonly request: typeof http.request;

  constructor(
    private readonly url: URL,
    options: SenderOptions,
  ) {
    const agentOptions: http.AgentOptions = {
      keepAlive: options.keepAlive,
      // Without keep-alive every request opens a connection of its own: bursts really are at once.
      maxSockets: options.keepAlive ? options.maxSockets : Number.POSITIVE_INFINITY,
      maxFreeSockets: options.keepAlive ? options.maxSockets : 256,
    };
    if (url.protocol === "https:") {
      // `ca` replaces the default roots: keep them (a public ALB certificate) and add the given CA.
      const ca = options.ca ? [...rootCertificates, options.ca] : undefined;
      this.agent = new https.Agent({ ...agentOptions, ...(ca ? { ca } : {}) });
      this.request = https.request;
    } else {
      this.agent = new http.Agent(agentOptions);
      this.request = http.request;
    }
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
      const req = this.request(
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
