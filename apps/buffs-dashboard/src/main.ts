import { readDashboardConfig } from "./config";
import { startDashboard } from "./dashboard";

async function main(): Promise<void> {
  await startDashboard(readDashboardConfig());
}

main().catch((error: unknown) => {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(
    JSON.stringify({ level: "fatal", service: "buffs-dashboard", msg: `failed to start: ${reason}` }),
  );
  process.exit(1);
});
