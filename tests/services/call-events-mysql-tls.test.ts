import assert from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { webhookConfigFromEnv } from "../../apps/call-webhook/src/config";
import { createMySqlPool } from "../../apps/call-webhook/src/event-store";
import { migrate } from "../../apps/call-webhook/src/schema";
import { type CallWebhook, startCallWebhook } from "../../apps/call-webhook/src/webhook";
import { readEnv } from "../../lib/service-kit";
import { postEvent, validEvent } from "./call-events-fixtures";
import { describeMysqlTls, mysqlVariables } from "./mysql-tls-fixture";

describeMysqlTls({
  service: "call-webhook",
  database: "calls",
  user: "call_webhook",
  variables: { mode: "MYSQL_TLS_MODE", ca: "MYSQL_TLS_CA" },
  env: mysqlVariables,
  load: (env) => webhookConfigFromEnv(readEnv({ ...env, PORT: "0" })),
  tlsOf: (config) => config.mysql.tls,
  pool: (config) => createMySqlPool(config.mysql),
  firstUse: (pool) => migrate(pool),
  // The whole webhook, from that configuration: it starts, stores an event and is ready.
  works: async (config, _pool, secure) => {
    let webhook: CallWebhook | undefined;
    try {
      webhook = await startCallWebhook({ ...config, host: "127.0.0.1", logLevel: "silent" });
      const answer = await postEvent(webhook.url, validEvent({ call_id: "tls-1" }));
      assert.equal(answer.status, 200, answer.text);
      assert.equal((await fetch(new URL("/readyz", webhook.url))).status, 200);
      const rows = await secure.db.query<RowDataPacket[]>(
        "SELECT call_id FROM calls.call_events WHERE call_id = 'tls-1'",
      );
      assert.equal(rows.length, 1);
    } finally {
      await webhook?.close();
    }
  },
});
