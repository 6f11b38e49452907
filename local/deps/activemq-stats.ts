import { randomBytes } from "node:crypto";
import { connect } from "node:net";

export type BrokerStatistics = Record<string, number | string>;

/**
 * Asks the broker's statisticsBrokerPlugin over STOMP: for the whole broker, or for one queue
 * (e.g. `buffs` or `DLQ.buffs`: `size` is its depth, plus enqueueCount, dequeueCount,
 * consumerCount…). This is how a metrics exporter reads ActiveMQ here, the Debian package having
 * no web console or Jolokia. Needs the xstream and jettison jars (Debian libxstream-java,
 * libjettison-java), which startActiveMq links into the broker's classpath when installed.
 */
export function brokerStatistics(
  broker: { host?: string; stompPort: number; user: string; password: string },
  queue?: string,
  timeoutMs = 5000,
): Promise<BrokerStatistics> {
  const target = queue ? `ActiveMQ.Statistics.Destination.${queue}` : "ActiveMQ.Statistics.Broker";
  const replyTo = `/temp-queue/statistics-${randomBytes(6).toString("hex")}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: broker.host ?? "127.0.0.1", port: broker.stompPort });
    let buffer = "";
    const finish = (error?: Error, statistics?: BrokerStatistics) => {
      clearTimeout(timer);
      socket.end("DISCONNECT\n\n\0");
      socket.destroy();
      if (error) reject(error);
      else resolve(statistics!);
    };
    const timer = setTimeout(
      () => finish(new Error(`no statistics for ${target} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once("error", (error) => finish(error));
    socket.write(
      `CONNECT\naccept-version:1.2\nhost:localhost\nlogin:${broker.user}\npasscode:${broker.password}\n\n\0`,
    );
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let end = buffer.indexOf("\0");
      while (end >= 0) {
        const frame = buffer.slice(0, end).replace(/^\n+/, "");
        buffer = buffer.slice(end + 1);
        const separator = frame.indexOf("\n\n");
        const command = frame.slice(0, frame.indexOf("\n"));
        const body = separator >= 0 ? frame.slice(separator + 2) : "";
        if (command === "ERROR") return finish(new Error(`STOMP ERROR: ${frame.slice(0, 300)}`));
        if (command === "CONNECTED") {
          socket.write(`SUBSCRIBE\nid:stats\ndestination:${replyTo}\ntransformation:jms-map-json\n\n\0`);
          socket.write(`SEND\ndestination:/queue/${target}\nreply-to:${replyTo}\n\n\0`);
        } else if (command === "MESSAGE") {
          try {
            return finish(undefined, parseMapMessage(body));
          } catch (error) {
            return finish(error as Error);
          }
        }
        end = buffer.indexOf("\0");
      }
    });
  });
}

type MapEntry = { string: string | [string, string] } & Record<string, unknown>;

/** ActiveMQ's JSON form of a MapMessage: `{"map":{"entry":[{"string":"size","long":1}, {"string":["brokerName","local"]}]}}`. */
export function parseMapMessage(body: string): BrokerStatistics {
  const parsed = JSON.parse(body) as { map?: { entry?: MapEntry[] | MapEntry } };
  const raw = parsed.map?.entry ?? [];
  const entries = Array.isArray(raw) ? raw : [raw];
  const statistics: BrokerStatistics = {};
  for (const entry of entries) {
    if (Array.isArray(entry.string)) {
      statistics[entry.string[0]] = entry.string[1];
      continue;
    }
    const value = Object.entries(entry).find(([type]) => type !== "string")?.[1];
    statistics[entry.string] = typeof value === "number" ? value : String(value);
  }
  return statistics;
}
