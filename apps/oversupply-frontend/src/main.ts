import { readEnv } from "../../../lib/service-kit";
import { startFrontend } from "./frontend";

const env = readEnv();
startFrontend({
  port: env.int("PORT", 8100, { min: 0, max: 65535 }),
  backendUrl: env.string("BACKEND_URL"),
}).catch((error) => {
  console.error(
    JSON.stringify({ level: "fatal", service: "oversupply-frontend", msg: String(error?.stack ?? error) }),
  );
  process.exit(1);
});
