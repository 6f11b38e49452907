import { createSocket, type RemoteInfo } from "node:dgram";

/**
 * A tiny authoritative DNS server over UDP for tests: answers SRV and A queries for the names it
 * was given, NXDOMAIN for other names, NODATA for other types. Point a `dns.promises.Resolver` at
 * it with `resolver.setServers([stub.server])`.
 */

export interface SrvAnswer {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export interface DnsQuery {
  name: string;
  type: "SRV" | "A" | number;
}

export interface DnsStub {
  /** `127.0.0.1:<port>`, the form `Resolver.setServers` takes. */
  server: string;
  port: number;
  /** Every question received, in order. */
  queries: DnsQuery[];
  setSrv(name: string, answers: SrvAnswer[], ttl?: number): void;
  setA(name: string, address: string, ttl?: number): void;
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_SRV = 33;
const CLASS_IN = 1;

interface Zone {
  srv: Map<string, { answers: SrvAnswer[]; ttl: number }>;
  a: Map<string, { address: string; ttl: number }>;
}

function encodeName(name: string): Buffer {
  const labels = name
    .replace(/\.$/, "")
    .split(".")
    .filter((label) => label.length > 0);
  const parts = labels.map((label) =>
    Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "ascii")]),
  );
  return Buffer.concat([...parts, Buffer.from([0])]);
}

/** Reads the (uncompressed) question name at `offset`; returns it and the offset after it. */
function readName(message: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  while (at < message.length) {
    const length = message[at]!;
    if (length === 0) return { name: labels.join("."), end: at + 1 };
    if (length >= 0xc0) throw new Error("compressed names are not expected in a question");
    labels.push(message.subarray(at + 1, at + 1 + length).toString("ascii"));
    at += 1 + length;
  }
  throw new Error("truncated question name");
}

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

function resourceRecord(type: number, ttl: number, rdata: Buffer): Buffer {
  const header = Buffer.alloc(10);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(CLASS_IN, 2);
  header.writeUInt32BE(ttl, 4);
  header.writeUInt16BE(rdata.length, 8);
  // 0xc00c: a pointer to the question's name, which starts right after the 12-byte header.
  return Buffer.concat([u16(0xc00c), header, rdata]);
}

function answer(query: Buffer, zone: Zone): { response: Buffer; question: DnsQuery } {
  const id = query.readUInt16BE(0);
  const flags = query.readUInt16BE(2);
  const { name, end } = readName(query, 12);
  const type = query.readUInt16BE(end);
  const questionBytes = query.subarray(12, end + 4);
  const key = name.toLowerCase();
  const records: Buffer[] = [];
  let known = false;
  const srv = zone.srv.get(key);
  const a = zone.a.get(key);
  if (srv) {
    known = true;
    if (type === TYPE_SRV) {
      for (const s of srv.answers) {
        const rdata = Buffer.concat([u16(s.priority), u16(s.weight), u16(s.port), encodeName(s.target)]);
        records.push(resourceRecord(TYPE_SRV, srv.ttl, rdata));
      }
    }
  }
  if (a) {
    known = true;
    if (type === TYPE_A)
      records.push(resourceRecord(TYPE_A, a.ttl, Buffer.from(a.address.split(".").map(Number))));
  }
  const rcode = known ? 0 : 3; // 3 = NXDOMAIN
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  // QR=1, opcode and RD copied from the query, AA=1, RA=1.
  header.writeUInt16BE(0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const question: DnsQuery = { name, type: type === TYPE_SRV ? "SRV" : type === TYPE_A ? "A" : type };
  return { response: Buffer.concat([header, questionBytes, ...records]), question };
}

export async function startDnsStub(): Promise<DnsStub> {
  const zone: Zone = { srv: new Map(), a: new Map() };
  const queries: DnsQuery[] = [];
  const socket = createSocket("udp4");
  socket.on("message", (message: Buffer, peer: RemoteInfo) => {
    try {
      const { response, question } = answer(message, zone);
      queries.push(question);
      socket.send(response, peer.port, peer.address);
    } catch {
      // a malformed query gets no answer, like a real server under garbage
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  const port = socket.address().port;
  return {
    server: `127.0.0.1:${port}`,
    port,
    queries,
    setSrv(name, answers, ttl = 5) {
      zone.srv.set(name.toLowerCase(), { answers, ttl });
    },
    setA(name, address, ttl = 5) {
      zone.a.set(name.toLowerCase(), { address, ttl });
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
