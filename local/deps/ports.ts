import { createServer } from "node:net";

/** A TCP port that is free right now on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something could listen on `port` now (checked on every interface, as servers bind there). */
export function isPortFree(port: number, host = "0.0.0.0"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Thrown when a port someone wants is taken; the message names the port and who wanted it. */
export class PortInUseError extends Error {
  override name = "PortInUseError";
  constructor(
    readonly port: number,
    readonly wantedBy: string,
    hint = "",
  ) {
    super(`port ${port} (wanted by ${wantedBy}) is already in use${hint ? `; ${hint}` : ""}`);
  }
}

export async function assertPortFree(port: number, wantedBy: string, hint?: string): Promise<void> {
  if (!(await isPortFree(port))) throw new PortInUseError(port, wantedBy, hint);
}

/** Output of servers that could not bind their port. */
export const ADDRESS_IN_USE =
  /address already in use|EADDRINUSE|Do you already have another .* running|bind.*in use/i;
