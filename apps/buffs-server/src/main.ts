import { readServerConfig } from "./config";
import { startServer } from "./server";

async function main(): Promise<void> {
  await startServer(readServerConfig());
}

main().catch((error: unknown) => {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(
    JSON.stringify({ level: "fatal", service: "buffs-server", msg: `failed to start: ${reason}` }),
  );
  process.exit(1);
});
