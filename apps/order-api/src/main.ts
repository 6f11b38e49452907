import { readOrderApiConfig } from "./config";
import { buildOrderApi } from "./service";

async function main(): Promise<void> {
  await buildOrderApi(readOrderApiConfig()).service.listen();
}

main().catch((error: unknown) => {
  console.error(`order-api failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
