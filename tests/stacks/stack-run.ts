import { type MockRun, runUnderMocks } from "../harness/pulumi-mocks";
import { loadStackConfig } from "../harness/stack-files";

/** The Pulumi program exactly as the engine loads it. */
export function program(): () => unknown {
  return require("../../index") as () => unknown;
}

/**
 * Runs `index.ts` with a real stack file's config, plus `overrides` (what `pulumi up --config`
 * adds, e.g. CI's `imageTag`). Secret keys stay secret.
 */
export async function runStack(
  stack: string,
  overrides: Record<string, string> = {},
): Promise<MockRun<Record<string, unknown>>> {
  const config = loadStackConfig(stack);
  return runUnderMocks(program() as () => Record<string, unknown>, {
    project: config.project,
    stack,
    config: { ...config.values, ...overrides },
    secretKeys: config.secretKeys,
  });
}
