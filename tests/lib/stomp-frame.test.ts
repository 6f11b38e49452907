import assert from "node:assert/strict";
import {
  backoffDelay,
  encodeFrame,
  escapeHeaderValue,
  FrameParser,
  type StompFrame,
  StompProtocolError,
  unescapeHeaderValue,
} from "../../lib/stomp";

const plain = (frame: StompFrame) => ({
  command: frame.command,
  headers: { ...frame.headers },
  body: frame.body.toString("latin1"),
});

function parseAll(bytes: Buffer, chunkSize = bytes.length): StompFrame[] {
  const parser = new FrameParser();
  const frames: StompFrame[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize)
    frames.push(...parser.push(bytes.subarray(i, i + chunkSize)));
  return frames;
}

describe("STOMP frame codec", () => {
  it("escapes and unescapes header values per STOMP 1.2", () => {
    const nasty = "a:b\\c\nd\re";
    assert.equal(escapeHeaderValue(nasty), "a\\cb\\\\c\\nd\\re");
    assert.equal(unescapeHeaderValue(escapeHeaderValue(nasty)), nasty);
    assert.throws(() => unescapeHeaderValue("bad\\t"), StompProtocolError);
    assert.throws(() => unescapeHeaderValue("trailing\\"), StompProtocolError);
  });

  it("encodes a SEND frame with escaped headers and a content-length", () => {
    const bytes = encodeFrame("SEND", { destination: "/queue/a", "x-note": "k:v" }, "héllo");
    assert.equal(
      bytes.toString("utf8"),
      "SEND\ndestination:/queue/a\nx-note:k\\cv\ncontent-length:6\n\nhéllo\0",
    );
  });

  it("does not escape CONNECT headers and refuses line breaks in them", () => {
    const bytes = encodeFrame("CONNECT", { "accept-version": "1.2", passcode: "p:ss" });
    assert.equal(bytes.toString("utf8"), "CONNECT\naccept-version:1.2\npasscode:p:ss\n\n\0");
    assert.throws(() => encodeFrame("CONNECT", { login: "a\nb" }), StompProtocolError);
  });

  it("round-trips frames with escaped headers and binary bodies", () => {
    const body = Buffer.from([0, 1, 2, 0, 255, 10, 0]);
    const bytes = Buffer.concat([
      encodeFrame("MESSAGE", { destination: "/queue/a", "x-request-id": "id:1\nx", empty: "" }, body),
      encodeFrame("RECEIPT", { "receipt-id": "r-1" }),
    ]);
    const frames = parseAll(bytes);
    assert.equal(frames.length, 2);
    assert.deepEqual(frames[0]!.body, body);
    assert.deepEqual(frames[0]!.headers, {
      destination: "/queue/a",
      "x-request-id": "id:1\nx",
      empty: "",
      "content-length": "7",
    });
    assert.deepEqual(plain(frames[1]!), { command: "RECEIPT", headers: { "receipt-id": "r-1" }, body: "" });
  });

  it("decodes the same frames whatever the chunk boundaries, down to one byte per chunk", () => {
    const bytes = Buffer.concat([
      Buffer.from("\n\r\n"),
      encodeFrame("MESSAGE", { destination: "/queue/a", "message-id": "m1" }, Buffer.from("one\0two")),
      Buffer.from("\n"),
      Buffer.from("MESSAGE\r\ndestination:/queue/b\r\nmessage-id:m2\r\n\r\nno length here\0"),
      Buffer.from("\r\n\n"),
      encodeFrame("ERROR", { message: "bad thing" }, "details"),
    ]);
    const whole = parseAll(bytes).map(plain);
    assert.deepEqual(
      whole.map((f) => [f.command, f.body]),
      [
        ["MESSAGE", "one\0two"],
        ["MESSAGE", "no length here"],
        ["ERROR", "details"],
      ],
    );
    assert.equal(whole[1]!.headers.destination, "/queue/b");
    for (const size of [1, 2, 3, 7, 16, 64])
      assert.deepEqual(parseAll(bytes, size).map(plain), whole, `chunks of ${size}`);
  });

  it("treats lone EOLs as heart-beats and returns nothing for them", () => {
    const parser = new FrameParser();
    assert.deepEqual(parser.push(Buffer.from("\n\n\r\n\r")), []);
    assert.deepEqual(parser.push(Buffer.from("\n")), []);
    const frames = parser.push(Buffer.from("RECEIPT\nreceipt-id:7\n\n\0\n"));
    assert.deepEqual(frames.map(plain), [{ command: "RECEIPT", headers: { "receipt-id": "7" }, body: "" }]);
  });

  it("keeps the first value of a repeated header", () => {
    const [frame] = parseAll(Buffer.from("MESSAGE\nfoo:first\nfoo:second\n\nx\0"));
    assert.equal(frame!.headers.foo, "first");
  });

  it("does not unescape CONNECTED headers", () => {
    const [frame] = parseAll(Buffer.from("CONNECTED\nversion:1.2\nserver:a\\cb\n\n\0"));
    assert.equal(frame!.headers.server, "a\\cb");
  });

  it("decodes a large body arriving in many chunks", () => {
    const body = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    body[1000] = 0;
    const frames = parseAll(encodeFrame("MESSAGE", { destination: "/queue/big" }, body), 65_536);
    assert.equal(frames.length, 1);
    assert.ok(frames[0]!.body.equals(body));
  });

  it("rejects malformed input with a protocol error", () => {
    assert.throws(
      () => parseAll(Buffer.from("MESSAGE\ncontent-length:3\n\nabcd\0")),
      /longer than its content-length/,
    );
    assert.throws(() => parseAll(Buffer.from("MESSAGE\ncontent-length:x\n\n\0")), /invalid content-length/);
    assert.throws(() => parseAll(Buffer.from("message\n\n\0")), /invalid command/);
    assert.throws(() => parseAll(Buffer.from("MESSAGE\nno colon\n\n\0")), /invalid header line/);
    assert.throws(() => parseAll(Buffer.from("MESSAGE\nbad:\\t\n\n\0")), /undefined escape/);
  });

  it("enforces the size limits", () => {
    const small = new FrameParser({ maxBodyBytes: 10, maxHeaderBytes: 50 });
    assert.throws(() => small.push(Buffer.from("MESSAGE\ncontent-length:11\n\n")), /exceeds 10 bytes/);
    const noNul = new FrameParser({ maxBodyBytes: 10 });
    assert.throws(() => noNul.push(Buffer.from(`MESSAGE\n\n${"x".repeat(11)}`)), /without a NUL/);
    const longHead = new FrameParser({ maxHeaderBytes: 50 });
    assert.throws(() => longHead.push(Buffer.from(`MESSAGE\nx:${"y".repeat(60)}`)), /header block exceeds/);
  });
});

describe("reconnect backoff", () => {
  it("grows exponentially with jitter and is capped", () => {
    const low = () => 0;
    const high = () => 1;
    assert.equal(backoffDelay(0, { initialMs: 100, maxMs: 5000 }, low), 50);
    assert.equal(backoffDelay(0, { initialMs: 100, maxMs: 5000 }, high), 100);
    assert.equal(backoffDelay(3, { initialMs: 100, maxMs: 5000 }, high), 800);
    assert.equal(backoffDelay(50, { initialMs: 100, maxMs: 5000 }, high), 5000);
    assert.equal(backoffDelay(50, { initialMs: 100, maxMs: 5000 }, low), 2500);
    for (let attempt = 0; attempt < 20; attempt++) {
      const delay = backoffDelay(attempt);
      assert.ok(delay >= 50 && delay <= 5000, `attempt ${attempt}: ${delay}`);
    }
  });
});
