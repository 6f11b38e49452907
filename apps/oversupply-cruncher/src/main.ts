import { readCruncherConfig } from "./config";
import { startCruncher } from "./cruncher";

startCruncher(readCruncherConfig()).catch((error) => {
  console.error(
    JSON.stringify({ level: "fatal", service: "oversupply-cruncher", msg: String(error?.stack ?? error) }),
  );
  process.exit(1);
});
