import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TlsFiles {
  /** The CA that signed the server certificate: what clients verify against. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A private CA and a server certificate it signs, valid for 127.0.0.1 and localhost, made with
 * openssl in `dir`. Files already there are reused, so clients keep trusting the same CA.
 */
export async function ensureServerCertificate(dir: string, commonName = "localhost"): Promise<TlsFiles> {
  const files: TlsFiles = {
    caFile: join(dir, "ca.pem"),
    certFile: join(dir, "server-cert.pem"),
    keyFile: join(dir, "server-key.pem"),
  };
  if (existsSync(files.caFile) && existsSync(files.certFile) && existsSync(files.keyFile)) return files;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caKey = join(dir, "ca-key.pem");
  const csr = join(dir, "server.csr");
  const extensions = join(dir, "server-ext.cnf");
  await openssl(
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey, "-out", files.caFile],
    ["-days", "3650", "-subj", "/CN=battle-ready local CA"],
    ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
  );
  await openssl(
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", files.keyFile, "-out", csr],
    ["-subj", `/CN=${commonName}`],
  );
  writeFileSync(
    extensions,
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "",
    ].join("\n"),
  );
  await openssl(
    ["x509", "-req", "-in", csr, "-CA", files.caFile, "-CAkey", caKey, "-CAcreateserial"],
    ["-out", files.certFile, "-days", "825", "-extfile", extensions],
  );
  return files;
}

export interface KeyStore {
  /** PKCS#12 file holding the server key, its certificate and the CA (what a JVM server loads). */
  file: string;
  password: string;
}

/**
 * The server key and certificate of `files` (with the CA in the chain) as a PKCS#12 keystore in
 * `dir`, for Java servers. Reused with its password (`keystore-password`, mode 600) when present.
 */
export async function ensurePkcs12KeyStore(dir: string, files: TlsFiles): Promise<KeyStore> {
  const file = join(dir, "keystore.p12");
  const passwordFile = join(dir, "keystore-password");
  if (existsSync(file) && existsSync(passwordFile))
    return { file, password: readFileSync(passwordFile, "utf8").trim() };
  const password = randomBytes(18).toString("base64url");
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  await openssl(
    ["pkcs12", "-export", "-in", files.certFile, "-inkey", files.keyFile, "-certfile", files.caFile],
    ["-name", "server", "-out", file, "-passout", `pass:${password}`],
  );
  return { file, password };
}

async function openssl(...argGroups: string[][]): Promise<void> {
  const args = argGroups.flat();
  try {
    await run("openssl", args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || (error as Error).message}`);
  }
}
