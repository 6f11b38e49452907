import { decodeHeader, type StompFrame, StompProtocolError } from "./frame";

export interface FrameParserLimits {
  /** Largest command + header block accepted. @default 64 KiB */
  maxHeaderBytes?: number;
  /** Largest body accepted. @default 32 MiB */
  maxBodyBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

type BodyState =
  | { kind: "length"; frame: Omit<StompFrame, "body">; length: number; parts: Buffer[]; have: number }
  | { kind: "nul"; frame: Omit<StompFrame, "body">; parts: Buffer[]; have: number };

/**
 * A streaming STOMP 1.2 decoder. Feed it TCP chunks as they arrive; it returns the frames that
 * are complete. It copes with frames split across chunks at any byte, several frames in one
 * chunk, heart-beat EOLs between frames, bodies sized by `content-length` (binary-safe, may hold
 * NUL octets) or ended by the first NUL, `\r\n` line endings and escaped header values.
 * Large bodies are collected as a list of chunks and joined once, so a body arriving in many
 * chunks costs linear time.
 */
export class FrameParser {
  private head: Buffer = Buffer.alloc(0);
  private body: BodyState | undefined;
  private readonly maxHeaderBytes: number;
  private readonly maxBodyBytes: number;

  constructor(limits: FrameParserLimits = {}) {
    this.maxHeaderBytes = limits.maxHeaderBytes ?? 64 * 1024;
    this.maxBodyBytes = limits.maxBodyBytes ?? 32 * 1024 * 1024;
  }

  push(chunk: Buffer): StompFrame[] {
    const frames: StompFrame[] = [];
    let input: Buffer | undefined = chunk;
    while (input !== undefined && input.length > 0) {
      if (this.body !== undefined) {
        input = this.feedBody(this.body, input, frames);
      } else {
        input = this.feedHead(input);
      }
    }
    return frames;
  }

  /** Consumes header bytes; returns the bytes after the header block (the body's start), if complete. */
  private feedHead(chunk: Buffer): Buffer | undefined {
    let head = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
    let start = 0;
    // Heart-beats (EOLs) between frames.
    while (start < head.length && (head[start] === LF || (head[start] === CR && head[start + 1] === LF))) {
      start += head[start] === CR ? 2 : 1;
    }
    if (start === head.length || (start === head.length - 1 && head[start] === CR)) {
      this.head = head.subarray(start);
      return undefined;
    }
    head = head.subarray(start);
    const end = findBlankLine(head);
    if (end === undefined) {
      if (head.length > this.maxHeaderBytes)
        throw new StompProtocolError(`frame header block exceeds ${this.maxHeaderBytes} bytes`);
      this.head = head;
      return undefined;
    }
    if (end.headerEnd > this.maxHeaderBytes)
      throw new StompProtocolError(`frame header block exceeds ${this.maxHeaderBytes} bytes`);
    const frame = parseHeaderBlock(head.subarray(0, end.headerEnd).toString("utf8"));
    this.head = Buffer.alloc(0);
    const lengthHeader = frame.headers["content-length"];
    if (lengthHeader !== undefined) {
      if (!/^\d+$/.test(lengthHeader.trim()))
        throw new StompProtocolError(`invalid content-length ${lengthHeader}`);
      const length = Number(lengthHeader.trim());
      if (length > this.maxBodyBytes)
        throw new StompProtocolError(`frame body of ${length} bytes exceeds ${this.maxBodyBytes} bytes`);
      this.body = { kind: "length", frame, length, parts: [], have: 0 };
    } else {
      this.body = { kind: "nul", frame, parts: [], have: 0 };
    }
    return head.subarray(end.bodyStart);
  }

  /** Consumes body bytes; returns the bytes after the frame's NUL, if the frame completed. */
  private feedBody(state: BodyState, chunk: Buffer, frames: StompFrame[]): Buffer | undefined {
    if (state.kind === "length") {
      const needed = state.length + 1 - state.have;
      if (chunk.length < needed) {
        state.parts.push(chunk);
        state.have += chunk.length;
        return undefined;
      }
      state.parts.push(chunk.subarray(0, needed));
      const all = state.parts.length === 1 ? state.parts[0]! : Buffer.concat(state.parts, state.length + 1);
      if (all[state.length] !== NUL)
        throw new StompProtocolError(`frame body is longer than its content-length ${state.length}`);
      frames.push({ ...state.frame, body: all.subarray(0, state.length) });
      this.body = undefined;
      return chunk.subarray(needed);
    }
    const nul = chunk.indexOf(NUL);
    if (nul === -1) {
      state.parts.push(chunk);
      state.have += chunk.length;
      if (state.have > this.maxBodyBytes)
        throw new StompProtocolError(`frame body exceeds ${this.maxBodyBytes} bytes without a NUL`);
      return undefined;
    }
    state.parts.push(chunk.subarray(0, nul));
    const body = state.parts.length === 1 ? state.parts[0]! : Buffer.concat(state.parts);
    frames.push({ ...state.frame, body });
    this.body = undefined;
    return chunk.subarray(nul + 1);
  }
}

/** Finds the blank line ending the header block: `\n\n` or `\n\r\n`. */
function findBlankLine(buffer: Buffer): { headerEnd: number; bodyStart: number } | undefined {
  let from = 0;
  for (;;) {
    const lf = buffer.indexOf(LF, from);
    if (lf === -1 || lf + 1 >= buffer.length) return undefined;
    if (buffer[lf + 1] === LF) return { headerEnd: lf, bodyStart: lf + 2 };
    if (buffer[lf + 1] === CR) {
      if (lf + 2 >= buffer.length) return undefined;
      if (buffer[lf + 2] === LF) return { headerEnd: lf, bodyStart: lf + 3 };
    }
    from = lf + 1;
  }
}

function parseHeaderBlock(text: string): Omit<StompFrame, "body"> {
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  const command = lines[0] ?? "";
  if (!/^[A-Z]+$/.test(command))
    throw new StompProtocolError(`invalid command ${JSON.stringify(command.slice(0, 40))}`);
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new StompProtocolError(`invalid header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = decodeHeader(command, line.slice(0, colon));
    if (Object.hasOwn(headers, name) || name === "__proto__") continue;
    headers[name] = decodeHeader(command, line.slice(colon + 1));
  }
  return { command, headers };
}
