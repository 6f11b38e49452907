import { readDashboardConfig } from "./config";
import { startDashboard } from "./dashboard";

startDashboard(readDashboardConfig()).catch((error: unknown) => {
  console.error(
    JSON.stringify({
      level: "fatal",
      service: "buffs-dashboard",
      msg: "failed to start",
      err: String(error),
    }),
  );
  process.exit(1);
});
