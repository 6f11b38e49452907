import { readProcessorConfig } from "./config";
import { buildOrderProcessor } from "./service";

async function main(): Promise<void> {
  await buildOrderProcessor(readProcessorConfig()).service.listen();
}

main().catch((error: unknown) => {
  console.error(`order-processor failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
