import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where the host's Chromium is: Debian's package, Ubuntu's, Google Chrome, or `CHROMIUM_PATH`. */
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export function chromiumPath(): string {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`CHROMIUM_PATH=${chosen}: no such file`);
    return chosen;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found)
    throw new Error(
      `no Chromium found (looked at ${CANDIDATES.join(", ")}): the browser tests need one. ` +
        "Install Debian's chromium package (scripts/system-packages.sh does) or set CHROMIUM_PATH.",
    );
  return found;
}

/** The host's Chromium, headless, with nothing that reaches out to the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
