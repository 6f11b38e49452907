import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";

/** `BRBKUP01` + 12-byte IV + AES-256-GCM ciphertext of the gzip stream + 16-byte tag. */
const MAGIC = Buffer.from("BRBKUP01");
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class BackupIntegrityError extends Error {
  override name = "BackupIntegrityError";
}

/**
 * The backup key: 32 bytes from BATTLE_READY_BACKUP_KEY (64 hex characters or base64), else
 * `<keyFile>`, generated (mode 600) on first use. Keep a copy of it away from the backups.
 */
export function backupKey(keyFile: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const given = env.BATTLE_READY_BACKUP_KEY?.trim();
  if (given) return parseKey(given, "BATTLE_READY_BACKUP_KEY");
  if (existsSync(keyFile)) return parseKey(readFileSync(keyFile, "utf8").trim(), keyFile);
  const key = randomBytes(32);
  mkdirSync(dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, `${key.toString("hex")}\n`, { mode: 0o600 });
  return key;
}

function parseKey(text: string, where: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== 32)
    throw new Error(`${where}: the backup key must be 32 bytes (64 hex characters or base64)`);
  return key;
}

/** gzip, then AES-256-GCM, into `file`. Returns its size. */
export async function writeEncrypted(source: Readable, file: string, key: Buffer): Promise<number> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  writeFileSync(file, Buffer.concat([MAGIC, iv]), { mode: 0o600 });
  await pipeline(source, createGzip({ level: 6 }), cipher, createWriteStream(file, { flags: "a" }));
  writeFileSync(file, cipher.getAuthTag(), { flag: "a" });
  return statSync(file).size;
}

/** Decrypts and decompresses `file` into `output`; a wrong key or any altered byte fails. */
export async function readEncrypted(file: string, output: string, key: Buffer): Promise<void> {
  const size = statSync(file).size;
  const header = Buffer.alloc(MAGIC.length + IV_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  const fd = openSync(file, "r");
  try {
    readSync(fd, header, 0, header.length, 0);
    readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    closeSync(fd);
  }
  if (size < header.length + TAG_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BackupIntegrityError(`${file} is not a battle-ready backup file (bad header)`);
  }
  const decipher = createDecipheriv("aes-256-gcm", key, header.subarray(MAGIC.length));
  decipher.setAuthTag(tag);
  try {
    await pipeline(
      createReadStream(file, { start: header.length, end: size - TAG_BYTES - 1 }),
      decipher,
      createGunzip(),
      createWriteStream(output, { mode: 0o600 }),
    );
  } catch (error) {
    throw new BackupIntegrityError(
      `${file} failed authenticated decryption (wrong key, or the file was altered): ${(error as Error).message}`,
    );
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}

/** The manifest's MAC: HMAC-SHA256 under a key derived from the backup key. */
export function manifestMac(body: string, key: Buffer): string {
  const macKey = createHmac("sha256", key).update("battle-ready manifest").digest();
  return createHmac("sha256", macKey).update(body).digest("hex");
}
