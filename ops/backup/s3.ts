import { createReadStream, createWriteStream, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from "@aws-sdk/client-s3";

/** A bucket and a key prefix (no leading or trailing slash; "" for the bucket's root). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** Bucket names as S3 allows them (3-63 characters: lowercase letters, digits, dots, hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Backup names, as `backupName()` makes them: `20261121T111451Z`. */
const BACKUP_NAME = /^\d{8}T\d{6}Z$/;
/** The largest object a single PUT may write (S3's limit); backups here are far smaller. */
const MAX_SINGLE_PUT = 5 * 1024 ** 3;
/** Written last on upload, so a backup without it under a prefix is an incomplete upload. */
const MANIFEST = "manifest.json";

export const s3Uri = ({ bucket, prefix }: S3Location) => `s3://${bucket}/${prefix ? `${prefix}/` : ""}`;
const childPrefix = (location: S3Location, name: string) =>
  location.prefix ? `${location.prefix}/${name}` : name;

/** Parses `s3://bucket[/prefix]`; throws naming what is wrong. */
export function parseS3Uri(uri: string): S3Location {
  const bad = (why: string) =>
    new Error(`not a usable S3 URI: ${JSON.stringify(uri)} (${why}; expected s3://bucket/prefix)`);
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(uri);
  if (!match) throw bad("it must start with s3://");
  const bucket = match[1] ?? "";
  if (!BUCKET.test(bucket) || bucket.includes(".."))
    throw bad(`${JSON.stringify(bucket)} is not a valid bucket name`);
  const prefix = (match[2] ?? "").replace(/\/+$/, "");
  const segments = prefix ? prefix.split("/") : [];
  if (segments.some((s) => s === "" || s === "." || s === ".."))
    throw bad("the prefix has an empty, . or .. segment");
  return { bucket, prefix };
}

/**
 * What the client is built from: `BACKUP_S3_ENDPOINT` (MinIO, LocalStack, s3rver…: path-style
 * addressing) and `AWS_REGION` (default us-east-1). Server-side encryption (SSE-S3) is asked for
 * only on AWS itself: S3-compatible servers often lack it, and the files are AES-256-GCM encrypted
 * before they leave this machine anyway.
 */
export function s3Settings(env: NodeJS.ProcessEnv = process.env): {
  endpoint?: string;
  region: string;
  serverSideEncryption?: "AES256";
} {
  const endpoint = env.BACKUP_S3_ENDPOINT || undefined;
  return {
    endpoint,
    region: env.AWS_REGION || "us-east-1",
    serverSideEncryption: endpoint ? undefined : "AES256",
  };
}

/** An S3 client from `s3Settings(env)`; credentials from the SDK's default chain unless overridden. */
export function s3Client(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<S3ClientConfig> = {},
): S3Client {
  const { endpoint, region } = s3Settings(env);
  return new S3Client({
    region,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // Since 3.729 the SDK sends PUT bodies aws-chunked with a trailing CRC32 by default; s3rver
    // (and other older S3-compatible servers) store the chunk framing as the object's content.
    // Checksums only where the API requires them; integrity is the manifest's SHA-256s (checked
    // after every download) and the names and sizes listed back after every upload.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...overrides,
  });
}

/** Runs one S3 call, rethrowing its error with what was being done and where. */
async function s3Call<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const e = error as Error & { code?: string };
    const detail =
      error instanceof S3ServiceException
        ? `${e.name} (HTTP ${error.$metadata.httpStatusCode ?? "?"}): ${e.message}`
        : `${e.code ?? e.name}: ${e.message}`;
    throw new Error(`${what}: ${detail}`);
  }
}

/** Every object under `location` (the prefix as a folder), with its size. */
export async function listObjects(client: S3Client, location: S3Location): Promise<Map<string, number>> {
  const objects = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await s3Call(`cannot list ${s3Uri(location)}`, () =>
      client.send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          Prefix: location.prefix ? `${location.prefix}/` : undefined,
          ContinuationToken: token,
        }),
      ),
    );
    for (const object of page.Contents ?? []) if (object.Key) objects.set(object.Key, object.Size ?? 0);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/** The backup directory's files (flat: the data files and the manifest), manifest last. */
function backupFiles(dir: string): { name: string; bytes: number }[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const odd = entries.filter((e) => !e.isFile());
  if (odd.length)
    throw new Error(`${dir} holds ${odd.map((e) => e.name).join(", ")}: not a backup directory`);
  if (!entries.some((e) => e.name === MANIFEST)) throw new Error(`${dir} has no ${MANIFEST}: not a backup`);
  return entries
    .map((e) => ({ name: e.name, bytes: statSync(join(dir, e.name)).size }))
    .sort(
      (a, b) => Number(a.name === MANIFEST) - Number(b.name === MANIFEST) || a.name.localeCompare(b.name),
    );
}

/** Lists `target` back and compares names and sizes with the local files; throws on any difference. */
export async function verifyUpload(client: S3Client, dir: string, target: S3Location): Promise<void> {
  const found = await listObjects(client, target);
  const problems: string[] = [];
  for (const { name, bytes } of backupFiles(dir)) {
    const size = found.get(childPrefix(target, name));
    if (size === undefined) problems.push(`${name} is missing`);
    else if (size !== bytes) problems.push(`${name} has ${size} bytes, the local file ${bytes}`);
    found.delete(childPrefix(target, name));
  }
  for (const key of found.keys()) problems.push(`${key} is not in the local backup`);
  if (problems.length)
    throw new Error(`the upload to ${s3Uri(target)} does not match ${dir}: ${problems.join("; ")}`);
}

/**
 * Uploads the backup in `dir` to `<location>/<name>/` (the manifest last), then lists it back and
 * compares names and sizes. Refuses when anything is already under `<location>/<name>/`.
 */
export async function uploadBackup(
  client: S3Client,
  dir: string,
  location: S3Location,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<S3Location> {
  const target = { bucket: location.bucket, prefix: childPrefix(location, name) };
  const files = backupFiles(dir);
  const tooBig = files.find((f) => f.bytes > MAX_SINGLE_PUT);
  if (tooBig) throw new Error(`${tooBig.name} has ${tooBig.bytes} bytes: more than one S3 PUT takes (5 GiB)`);
  const existing = await listObjects(client, target);
  if (existing.size)
    throw new Error(
      `${s3Uri(target)} already holds ${existing.size} object(s): refusing to overwrite a backup there`,
    );
  const { serverSideEncryption } = s3Settings(env);
  for (const { name: file, bytes } of files) {
    const key = childPrefix(target, file);
    await s3Call(`cannot upload ${join(dir, file)} to s3://${target.bucket}/${key}`, () =>
      client.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: key,
          Body: createReadStream(join(dir, file)),
          ContentLength: bytes,
          ServerSideEncryption: serverSideEncryption,
        }),
      ),
    );
  }
  await verifyUpload(client, dir, target);
  return target;
}

/**
 * The backup under `location`: `location` itself when its last segment is a backup name, else the
 * newest complete backup (one with a manifest) directly under it.
 */
export async function findBackup(client: S3Client, location: S3Location): Promise<S3Location> {
  if (BACKUP_NAME.test(location.prefix.split("/").at(-1) ?? "")) return location;
  const names = [...(await listObjects(client, location)).keys()]
    .map((key) => (location.prefix ? key.slice(location.prefix.length + 1) : key).split("/"))
    .filter(([name, file, ...rest]) => BACKUP_NAME.test(name ?? "") && file === MANIFEST && !rest.length)
    .map(([name]) => name as string)
    .sort();
  const newest = names.at(-1);
  if (!newest) throw new Error(`no backups under ${s3Uri(location)} (none with a ${MANIFEST})`);
  return { bucket: location.bucket, prefix: childPrefix(location, newest) };
}

/** Downloads the backup at `source` (a backup's own prefix) into `dir`; checks each file's size. */
export async function downloadBackup(client: S3Client, source: S3Location, dir: string): Promise<string[]> {
  const objects = await listObjects(client, source);
  if (!objects.size) throw new Error(`no backup at ${s3Uri(source)}: nothing is stored there`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: string[] = [];
  const base = source.prefix ? `${source.prefix}/` : "";
  for (const [key, size] of objects) {
    const file = key.slice(base.length);
    if (!file || file.includes("/"))
      throw new Error(`s3://${source.bucket}/${key} is not part of a backup (backups are flat)`);
    const path = join(dir, file);
    await s3Call(`cannot download s3://${source.bucket}/${key}`, async () => {
      const { Body } = await client.send(new GetObjectCommand({ Bucket: source.bucket, Key: key }));
      if (!Body) throw new Error("empty response");
      await pipeline(Body as Readable, createWriteStream(path, { mode: 0o600 }));
    });
    const bytes = statSync(path).size;
    if (bytes !== size)
      throw new Error(`s3://${source.bucket}/${key}: downloaded ${bytes} bytes, the listing says ${size}`);
    files.push(file);
  }
  return files;
}
