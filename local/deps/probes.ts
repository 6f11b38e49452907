import { get as httpGet } from "node:http";
import { connect, type Socket } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";

/**
 * Opens a TCP connection, writes `request`, and resolves with what the server sent back once
 * `complete(received)` says the answer is whole. Rejects on error, close or timeout.
 */
export function exchange(
  port: number,
  request: string,
  complete: (received: string) => boolean,
  timeoutMs = 3000,
  host = "127.0.0.1",
  tls?: ConnectionOptions,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = "";
    const socket: Socket = tls ? tlsConnect({ host, port, ...tls }) : connect({ host, port });
    const finish = (error?: Error) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(received);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no complete answer within ${timeoutMs} ms`)));
    socket.once(tls ? "secureConnect" : "connect", () => socket.write(request));
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      if (complete(received)) finish();
    });
    socket.once("error", (error) => finish(error));
    socket.once("close", () =>
      finish(new Error(`connection closed (got ${JSON.stringify(received.slice(0, 200))})`)),
    );
  });
}

/** Redis answers PING (after AUTH when a password is set). */
export async function redisPing(port: number, password?: string): Promise<boolean> {
  const request = `${password ? respCommand("AUTH", password) : ""}${respCommand("PING")}`;
  const answer = await exchange(port, request, (r) => r.includes("+PONG") || r.includes("-"));
  if (!answer.includes("+PONG")) throw new Error(`redis answered ${answer.trim()}`);
  return true;
}

function respCommand(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`;
}

/** A STOMP 1.2 CONNECT is answered with CONNECTED (an ERROR frame, e.g. bad credentials, rejects). */
export async function stompConnects(
  port: number,
  login: string,
  passcode: string,
  tls?: ConnectionOptions,
): Promise<boolean> {
  const connectFrame = `CONNECT\naccept-version:1.2\nhost:localhost\nlogin:${login}\npasscode:${passcode}\n\n\0`;
  const answer = await exchange(port, connectFrame, (r) => r.includes("\0"), 3000, "127.0.0.1", tls);
  if (!answer.startsWith("CONNECTED"))
    throw new Error(`STOMP answered ${answer.split("\n")[0]}: ${answer.slice(0, 300)}`);
  return true;
}

/**
 * The status of a GET on `url`, body drained. node:http rather than fetch: fetch refuses the
 * browsers' "bad ports" (e.g. 10080, where a port offset can put a service).
 */
function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      response.once("end", () => resolve(response.statusCode ?? 0));
      response.once("error", reject);
    });
    request.once("timeout", () => request.destroy(new Error(`${url} did not answer within ${timeoutMs} ms`)));
    request.once("error", reject);
  });
}

/** Any HTTP answer at all from `url`. */
export async function httpAnswers(url: string): Promise<boolean> {
  await httpStatus(url, 3000);
  return true;
}

/** `url` answers 200 (a readiness probe). */
export async function answers200(url: string): Promise<boolean> {
  const status = await httpStatus(url, 2000);
  if (status !== 200) throw new Error(`${url} answered ${status}`);
  return true;
}

/** Something accepts TCP connections on 127.0.0.1:`port`. */
export function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", reject);
  });
}
