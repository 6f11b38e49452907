import { webhookConfigFromEnv } from "./config";
import { startCallWebhook } from "./webhook";

/** call-webhook: stores every call event a telephony provider posts, and counts the last 30 minutes. */
// The configuration is read inside the promise: a refused one ends as one fatal line, like any other.
Promise.resolve()
  .then(() => startCallWebhook(webhookConfigFromEnv()))
  .catch((error: unknown) => {
    console.error(JSON.stringify({ level: "fatal", service: "call-webhook", msg: String(error) }));
    process.exit(1);
  });
