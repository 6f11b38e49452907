import { startBackend } from "./backend";
import { readBackendConfig } from "./config";

startBackend(readBackendConfig()).catch((error) => {
  console.error(
    JSON.stringify({ level: "fatal", service: "oversupply-backend", msg: String(error?.stack ?? error) }),
  );
  process.exit(1);
});
