import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { BackupIntegrityError, backupKey, readEncrypted, writeEncrypted } from "../../ops/backup/encryption";

describe("backup encryption (gzip + AES-256-GCM)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ops-crypto-"));
  const key = Buffer.alloc(32, 3);
  const text = "INSERT INTO t VALUES (1, 'secret');\n".repeat(2000);

  it("round-trips, compresses, and leaves no plaintext in the file", async () => {
    const file = join(dir, "a.enc");
    const bytes = await writeEncrypted(Readable.from([text]), file, key);
    assert.ok(bytes < text.length / 10, `${bytes} bytes for ${text.length} of text`);
    assert.ok(!readFileSync(file).includes("secret"));
    await readEncrypted(file, join(dir, "a.out"), key);
    assert.equal(readFileSync(join(dir, "a.out"), "utf8"), text);
  });

  it("the GCM tag refuses one flipped bit, a wrong key and a foreign file", async () => {
    const file = join(dir, "b.enc");
    await writeEncrypted(Readable.from([text]), file, key);
    const bytes = readFileSync(file);
    bytes[30]! ^= 0x80;
    writeFileSync(join(dir, "b-flipped.enc"), bytes);
    await assert.rejects(
      readEncrypted(join(dir, "b-flipped.enc"), join(dir, "b.out"), key),
      (error: Error) => {
        assert.ok(error instanceof BackupIntegrityError);
        assert.match(error.message, /failed authenticated decryption \(wrong key, or the file was altered\)/);
        return true;
      },
    );
    await assert.rejects(readEncrypted(file, join(dir, "b.out"), Buffer.alloc(32, 4)), BackupIntegrityError);
    writeFileSync(join(dir, "plain.txt"), "just some text, long enough to have a tail");
    await assert.rejects(
      readEncrypted(join(dir, "plain.txt"), join(dir, "c.out"), key),
      /not a battle-ready backup file/,
    );
  });

  it("takes the key from BATTLE_READY_BACKUP_KEY (hex or base64), else generates one file with mode 600", () => {
    const hex = "ab".repeat(32);
    assert.deepEqual(
      backupKey(join(dir, "unused.key"), { BATTLE_READY_BACKUP_KEY: hex }),
      Buffer.from(hex, "hex"),
    );
    const b64 = Buffer.alloc(32, 9).toString("base64");
    assert.deepEqual(
      backupKey(join(dir, "unused.key"), { BATTLE_READY_BACKUP_KEY: b64 }),
      Buffer.alloc(32, 9),
    );
    assert.throws(
      () => backupKey(join(dir, "x.key"), { BATTLE_READY_BACKUP_KEY: "short" }),
      /must be 32 bytes/,
    );
    const keyFile = join(dir, "generated.key");
    const generated = backupKey(keyFile, {});
    assert.equal(generated.length, 32);
    assert.deepEqual(backupKey(keyFile, {}), generated, "the generated key is reused");
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  });
});
