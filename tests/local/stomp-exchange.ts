import { connect } from "node:net";

/**
 * A minimal STOMP 1.2 conversation for the harness tests (the services use lib/stomp): connect,
 * optionally send one persistent message and wait for its receipt, optionally subscribe and
 * return the first message's body (acked).
 */
export function stompRoundTrip(
  port: number,
  login: string,
  passcode: string,
  steps: { send?: { destination: string; body: string }; receiveFrom?: string },
  timeoutMs = 10_000,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let buffer = "";
    const finish = (error: Error | undefined, body?: string) => {
      clearTimeout(timer);
      socket.end("DISCONNECT\n\n\0");
      socket.destroy();
      if (error) reject(error);
      else resolve(body);
    };
    const timer = setTimeout(
      () => finish(new Error(`STOMP exchange timed out; got ${JSON.stringify(buffer)}`)),
      timeoutMs,
    );
    socket.once("error", (error) => finish(error));
    socket.write(`CONNECT\naccept-version:1.2\nhost:localhost\nlogin:${login}\npasscode:${passcode}\n\n\0`);
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let end = buffer.indexOf("\0");
      while (end >= 0) {
        const frame = buffer.slice(0, end).replace(/^\n+/, "");
        buffer = buffer.slice(end + 1);
        onFrame(frame);
        end = buffer.indexOf("\0");
      }
    });
    const onFrame = (frame: string) => {
      const [head = "", ...rest] = frame.split("\n\n");
      const [command, ...headerLines] = head.split("\n");
      const headers = Object.fromEntries(
        headerLines.map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]),
      );
      const body = rest.join("\n\n");
      if (command === "ERROR") return finish(new Error(`STOMP ERROR: ${headers.message ?? ""} ${body}`));
      if (command === "CONNECTED") {
        if (steps.send) {
          const { destination, body: text } = steps.send;
          socket.write(
            `SEND\ndestination:${destination}\npersistent:true\nreceipt:sent\ncontent-type:text/plain\n\n${text}\0`,
          );
        } else subscribe();
      } else if (command === "RECEIPT" && headers["receipt-id"] === "sent") {
        subscribe();
      } else if (command === "MESSAGE") {
        socket.write(`ACK\nid:${headers.ack}\n\n\0`);
        finish(undefined, body);
      }
    };
    const subscribe = () => {
      if (!steps.receiveFrom) return finish(undefined);
      socket.write(`SUBSCRIBE\nid:0\ndestination:${steps.receiveFrom}\nack:client-individual\n\n\0`);
    };
  });
}

/**
 * Sends one message to `queue`, NACKs every delivery of it, and resolves once it arrives on
 * `DLQ.<queue>`: how many times it was delivered, and the dead-lettered body.
 */
export function nackUntilDeadLettered(
  port: number,
  login: string,
  passcode: string,
  queue: string,
  body: string,
  timeoutMs = 30_000,
): Promise<{ deliveries: number; deadLettered: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let buffer = "";
    let deliveries = 0;
    const finish = (error: Error | undefined, result?: { deliveries: number; deadLettered: string }) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(result!);
    };
    const timer = setTimeout(
      () => finish(new Error(`not dead-lettered within ${timeoutMs} ms (${deliveries} deliveries)`)),
      timeoutMs,
    );
    socket.once("error", (error) => finish(error));
    socket.write(`CONNECT\naccept-version:1.2\nhost:localhost\nlogin:${login}\npasscode:${passcode}\n\n\0`);
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let end = buffer.indexOf("\0");
      while (end >= 0) {
        const frame = buffer.slice(0, end).replace(/^\n+/, "");
        buffer = buffer.slice(end + 1);
        const [head = "", ...rest] = frame.split("\n\n");
        const [command, ...lines] = head.split("\n");
        const headers = Object.fromEntries(
          lines.map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]),
        );
        if (command === "ERROR") return finish(new Error(`STOMP ERROR: ${headers.message}`));
        if (command === "CONNECTED") {
          socket.write(`SEND\ndestination:/queue/${queue}\npersistent:true\nreceipt:sent\n\n${body}\0`);
        } else if (command === "RECEIPT") {
          socket.write(`SUBSCRIBE\nid:work\ndestination:/queue/${queue}\nack:client-individual\n\n\0`);
          socket.write(`SUBSCRIBE\nid:dlq\ndestination:/queue/DLQ.${queue}\nack:client-individual\n\n\0`);
        } else if (command === "MESSAGE" && headers.subscription === "work") {
          deliveries++;
          socket.write(`NACK\nid:${headers.ack}\n\n\0`);
        } else if (command === "MESSAGE" && headers.subscription === "dlq") {
          socket.write(`ACK\nid:${headers.ack}\n\n\0`);
          return finish(undefined, { deliveries, deadLettered: rest.join("\n\n") });
        }
        end = buffer.indexOf("\0");
      }
    });
  });
}
