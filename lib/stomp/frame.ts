/**
 * STOMP 1.2 frames: the data type and the encoder. A frame is a command line, header lines
 * (`name:value`, escaped), a blank line, a body and a NUL octet. The decoder is in parser.ts.
 */

export interface StompFrame {
  command: string;
  /** Header values, unescaped. When a header repeats, the first value wins (STOMP 1.2). */
  headers: Record<string, string>;
  body: Buffer;
}

/** CONNECT and CONNECTED frames are the only ones whose headers are not escaped (STOMP 1.2). */
function escapesHeaders(command: string): boolean {
  return command !== "CONNECT" && command !== "CONNECTED" && command !== "STOMP";
}

export function escapeHeaderValue(value: string): string {
  return value.replace(/[\\\r\n:]/g, (char) => {
    switch (char) {
      case "\\":
        return "\\\\";
      case "\r":
        return "\\r";
      case "\n":
        return "\\n";
      default:
        return "\\c";
    }
  });
}

export class StompProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StompProtocolError";
  }
}

export function unescapeHeaderValue(value: string): string {
  if (!value.includes("\\")) return value;
  return value.replace(/\\(.?)/g, (_match, next: string) => {
    switch (next) {
      case "\\":
        return "\\";
      case "r":
        return "\r";
      case "n":
        return "\n";
      case "c":
        return ":";
      default:
        throw new StompProtocolError(`undefined escape sequence \\${next} in a header`);
    }
  });
}

export function decodeHeader(command: string, text: string): string {
  return escapesHeaders(command) ? unescapeHeaderValue(text) : text;
}

/**
 * Encodes a frame. A body always gets a `content-length` header, so bodies may contain NUL
 * octets (binary-safe). Header names and values are escaped except on CONNECT.
 */
export function encodeFrame(
  command: string,
  headers: Record<string, string | number | boolean>,
  body?: Buffer | string,
): Buffer {
  const escaped = escapesHeaders(command);
  const bodyBytes =
    body === undefined ? undefined : typeof body === "string" ? Buffer.from(body, "utf8") : body;
  let head = `${command}\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (name === "content-length") continue;
    const text = String(value);
    if (!escaped && (/[\r\n:]/.test(name) || /[\r\n]/.test(text)))
      throw new StompProtocolError(
        `header ${name} of ${command} cannot contain a line break or a colon in its name`,
      );
    head += escaped ? `${escapeHeaderValue(name)}:${escapeHeaderValue(text)}\n` : `${name}:${text}\n`;
  }
  if (bodyBytes !== undefined) head += `content-length:${bodyBytes.length}\n`;
  head += "\n";
  const headBytes = Buffer.from(head, "utf8");
  if (bodyBytes === undefined || bodyBytes.length === 0) return Buffer.concat([headBytes, NUL]);
  return Buffer.concat([headBytes, bodyBytes, NUL]);
}

const NUL = Buffer.from([0]);

/** A heart-beat is a single end-of-line between frames. */
export const HEARTBEAT = Buffer.from("\n");
