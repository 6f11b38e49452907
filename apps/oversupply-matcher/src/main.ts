import { readMatcherConfig } from "./config";
import { startMatcher } from "./matcher";

startMatcher(readMatcherConfig()).catch((error) => {
  console.error(
    JSON.stringify({ level: "fatal", service: "oversupply-matcher", msg: String(error?.stack ?? error) }),
  );
  process.exit(1);
});
