import { opsExtraProcesses } from "../../ops/local-extras";
import type { LocalSystemContext } from "./context";

/** How to run an extra process: a server that stays in the foreground. */
export interface ExtraCommand {
  command: string;
  args: string[];
  /** Default: the repository root. */
  cwd?: string;
  /** Added to a minimal environment (PATH, HOME, LANG, TZ). */
  env?: Record<string, string>;
}

/**
 * A process the runner starts besides the catalog's services: Prometheus, Alertmanager, an
 * exporter, a status page… It starts after every service has been started (so it can read their
 * endpoints and ports), is supervised like them, logs to `logs/<name>.log` and is listed in
 * endpoints.json.
 */
export interface ExtraProcess {
  /** Unique among services, dependencies and extras; its log file and endpoints.json key. */
  name: string;
  /** Its port; the runner adds BATTLE_READY_PORT_OFFSET, and BATTLE_READY_<NAME>_PORT overrides it. */
  port: number;
  /**
   * Return a reason to skip it (e.g. "prometheus is not installed"): it is reported, not fatal.
   * Default: always enabled.
   */
  skip?(context: LocalSystemContext): string | undefined;
  /** Builds the command; may write config files (e.g. under `context.config.stateDir`). */
  command(context: LocalSystemContext, port: number): Promise<ExtraCommand> | ExtraCommand;
  /** HTTP path answering 200 once it is ready, e.g. `/-/ready`. Default: the port accepts TCP. */
  readinessPath?: string;
  /** What endpoints.json lists; default `http://127.0.0.1:<port>`. */
  url?(port: number): string;
}

/** The extra processes of the local system, in start order. See docs/local-runner.md. */
export const extraProcesses: ExtraProcess[] = [...opsExtraProcesses];
