import { createServer } from "node:http";
import { type AlertLogLine, type AlertmanagerWebhook, alertLogLines } from "./format-alert";

const MAX_BODY = 1024 * 1024;

/** Alertmanager's webhook receiver: logs every alert as a JSON line; GET /alerts lists the recent ones. */
export function startAlertReceiver(
  port: number,
  write: (line: string) => void = (l) => process.stdout.write(l),
) {
  const recent: AlertLogLine[] = [];
  const server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.url === "/healthz") return send(200, { status: "ok" });
    if (request.url === "/alerts" && request.method === "GET") return send(200, { alerts: recent });
    if (request.url !== "/alerts")
      return send(404, { error: `no route for ${request.method} ${request.url}` });
    if (request.method !== "POST") {
      response.setHeader("allow", "GET, POST");
      return send(405, { error: `method ${request.method} not allowed on /alerts` });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) request.destroy();
      else chunks.push(chunk);
    });
    request.on("end", () => {
      try {
        const lines = alertLogLines(
          JSON.parse(Buffer.concat(chunks).toString("utf8")) as AlertmanagerWebhook,
        );
        for (const line of lines) write(`${JSON.stringify(line)}\n`);
        recent.push(...lines);
        recent.splice(0, Math.max(0, recent.length - 200));
        send(200, { received: lines.length });
      } catch (error) {
        send(400, { error: (error as Error).message });
      }
    });
  });
  return new Promise<typeof server>((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (require.main === module) {
  void startAlertReceiver(Number(process.env.PORT)).then((server) => {
    const stop = () => server.close(() => process.exit(0));
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
