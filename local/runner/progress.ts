/** One line of the start-up display: a dependency, a service or an extra process. */
export type ItemState = "waiting" | "starting" | "ready" | "failed" | "skipped";

interface Item {
  name: string;
  kind: string;
  state: ItemState;
  detail: string;
  since: number;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const color = (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m`;
const SYMBOL: Record<ItemState, (frame: string) => string> = {
  waiting: () => color(2, "·"),
  starting: (frame) => color(36, frame),
  ready: () => color(32, "✔"),
  failed: () => color(31, "✖"),
  skipped: () => color(33, "-"),
};

/**
 * Start-up progress. On a terminal: a live block with a spinner per item, redrawn in place (log
 * lines printed meanwhile go above it). Otherwise: one plain line per state change.
 */
export class Progress {
  private readonly items: Item[] = [];
  private drawnLines = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly live: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    this.live = Boolean(out.isTTY) && process.env.TERM !== "dumb";
    if (this.live) {
      this.timer = setInterval(() => this.redraw(), 100);
      this.timer.unref();
    }
  }

  add(name: string, kind: string): void {
    if (this.items.some((i) => i.name === name)) return;
    this.items.push({ name, kind, state: "waiting", detail: "", since: Date.now() });
    this.redraw();
  }

  set(name: string, state: ItemState, detail = ""): void {
    const item = this.items.find((i) => i.name === name);
    if (!item) return;
    const elapsed = ((Date.now() - item.since) / 1000).toFixed(1);
    if (state === "starting") item.since = Date.now();
    item.state = state;
    item.detail = state === "ready" ? `${detail} (${elapsed} s)` : detail;
    if (this.live) this.redraw();
    else
      this.out.write(
        `${plainState(state)} ${item.kind} ${item.name}${item.detail ? `: ${item.detail}` : ""}\n`,
      );
  }

  /** Prints a line (a log line, a warning) without breaking the live block. */
  print(line: string): void {
    if (!this.live) {
      this.out.write(`${line}\n`);
      return;
    }
    this.erase();
    this.out.write(`${line}\n`);
    this.redraw();
  }

  /** Stops redrawing; the last state stays on screen. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.live) this.redraw();
    this.drawnLines = 0;
  }

  private erase(): void {
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\x1b[0J`);
    this.drawnLines = 0;
  }

  private redraw(): void {
    if (!this.live) return;
    this.frame = (this.frame + 1) % SPINNER.length;
    const width = Math.max(...this.items.map((i) => i.name.length), 8);
    // Lines must not wrap, or erasing the block by line count would leave debris.
    const room = Math.max((this.out.columns || 100) - width - 20, 10);
    const lines = this.items.map((i) => {
      const symbol = SYMBOL[i.state](SPINNER[this.frame]!);
      const text = i.detail.length > room ? `${i.detail.slice(0, room - 1)}…` : i.detail;
      const detail =
        i.state === "starting"
          ? `${text} ${color(2, `${((Date.now() - i.since) / 1000).toFixed(0)} s`)}`
          : text;
      return `${symbol} ${i.name.padEnd(width)}  ${color(2, i.kind.padEnd(10))} ${detail}`;
    });
    this.erase();
    if (lines.length > 0) this.out.write(`${lines.join("\n")}\n`);
    this.drawnLines = lines.length;
  }
}

function plainState(state: ItemState): string {
  return { waiting: "[wait]", starting: "[....]", ready: "[ ok ]", failed: "[FAIL]", skipped: "[skip]" }[
    state
  ];
}
