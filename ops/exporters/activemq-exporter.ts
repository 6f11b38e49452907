import { type BrokerStatistics, brokerStatistics } from "../../local/deps/activemq-stats";
import type { MetricFamily } from "./exposition";
import { serveMetrics } from "./exposition";

export interface BrokerAddress {
  host: string;
  stompPort: number;
  user: string;
  password: string;
}

const num = (stats: BrokerStatistics | undefined, key: string) => Number(stats?.[key] ?? 0);

/**
 * Reads the broker's statistics plugin over STOMP (the Debian broker has no Jolokia) for the
 * broker and each queue and its `DLQ.<queue>`. A queue that does not exist yet answers nothing:
 * it is left out, and a missing DLQ counts as empty.
 */
export async function collectBrokerMetrics(
  broker: BrokerAddress,
  queues: readonly string[],
  timeoutMs = 3000,
): Promise<MetricFamily[]> {
  const ask = (queue?: string) => brokerStatistics(broker, queue, timeoutMs).catch(() => undefined);
  const [overall, ...perQueue] = await Promise.all([
    ask(),
    ...queues.flatMap((queue) => [ask(queue), ask(`DLQ.${queue}`)]),
  ]);
  const up = overall !== undefined;
  const family = (
    name: string,
    help: string,
    type: MetricFamily["type"],
    key: string | ((i: number) => number),
  ) => ({
    name,
    help,
    type,
    samples: queues.flatMap((queue, i) => {
      const stats = perQueue[2 * i];
      if (!stats) return [];
      return [{ labels: { queue }, value: typeof key === "string" ? num(stats, key) : key(i) }];
    }),
  });
  return [
    {
      name: "activemq_up",
      help: "1 when the broker answered its statistics query.",
      type: "gauge",
      samples: [{ value: up ? 1 : 0 }],
    },
    {
      name: "activemq_store_percent_usage",
      help: "Persistent store usage, percent of the limit.",
      type: "gauge",
      samples: up ? [{ value: num(overall, "storePercentUsage") }] : [],
    },
    {
      name: "activemq_memory_percent_usage",
      help: "Broker memory usage, percent of the limit.",
      type: "gauge",
      samples: up ? [{ value: num(overall, "memoryPercentUsage") }] : [],
    },
    family("activemq_queue_size", "Messages waiting in the queue (its depth).", "gauge", "size"),
    family("activemq_queue_consumer_count", "Consumers subscribed to the queue.", "gauge", "consumerCount"),
    family("activemq_queue_producer_count", "Producers attached to the queue.", "gauge", "producerCount"),
    family(
      "activemq_queue_enqueued_total",
      "Messages sent to the queue since the broker started.",
      "counter",
      "enqueueCount",
    ),
    family(
      "activemq_queue_dequeued_total",
      "Messages acknowledged from the queue since the broker started.",
      "counter",
      "dequeueCount",
    ),
    family(
      "activemq_queue_inflight",
      "Messages delivered to consumers and not yet acknowledged.",
      "gauge",
      "inflightCount",
    ),
    family("activemq_dlq_size", "Messages in the queue's dead-letter queue DLQ.<queue>.", "gauge", (i) =>
      num(perQueue[2 * i + 1], "size"),
    ),
  ];
}

/** Queue names from catalog destinations: `/queue/buffs` → `buffs`; DLQs and topics left out. */
export function queuesOf(destinations: readonly string[]): string[] {
  const names = destinations
    .filter((d) => d.startsWith("/queue/"))
    .map((d) => d.slice("/queue/".length))
    .filter((name) => !name.startsWith("DLQ."));
  return [...new Set(names)].sort();
}

async function main(): Promise<void> {
  const env = process.env;
  const broker = {
    host: env.ACTIVEMQ_HOST ?? "127.0.0.1",
    stompPort: Number(env.ACTIVEMQ_STOMP_PORT),
    user: env.ACTIVEMQ_USER ?? "battle",
    password: env.ACTIVEMQ_PASSWORD ?? "",
  };
  const queues = (env.ACTIVEMQ_QUEUES ?? "").split(",").filter(Boolean);
  const port = Number(env.PORT);
  // Poll in the background so a scrape never waits on a slow or absent broker.
  let latest: MetricFamily[] = await collectBrokerMetrics(broker, queues);
  const poll = async () => {
    latest = await collectBrokerMetrics(broker, queues);
    setTimeout(poll, 5000).unref();
  };
  setTimeout(poll, 5000).unref();
  const server = await serveMetrics(port, () => latest);
  console.log(
    JSON.stringify({
      level: "info",
      time: new Date().toISOString(),
      service: "activemq-exporter",
      msg: `serving ${queues.length} queues on :${port}`,
    }),
  );
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (require.main === module) void main();
