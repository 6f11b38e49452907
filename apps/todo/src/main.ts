import { loadTodoConfig } from "./config";
import { startTodo } from "./todo-service";

async function main(): Promise<void> {
  await startTodo(loadTodoConfig());
}

main().catch((error: unknown) => {
  // A bad configuration or a failed start-up: one JSON line naming the cause, then exit 1.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `${JSON.stringify({ level: "fatal", time: new Date().toISOString(), service: "todo", msg: message })}\n`,
  );
  process.exit(1);
});
