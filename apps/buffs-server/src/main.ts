import { readServerConfig } from "./config";
import { startServer } from "./server";

startServer(readServerConfig()).catch((error: unknown) => {
  console.error(
    JSON.stringify({ level: "fatal", service: "buffs-server", msg: "failed to start", err: String(error) }),
  );
  process.exit(1);
});
