import { strict as assert } from "node:assert";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bash, root, shownLines } from "./doc-shell";

/**
 * docs/localstack.md's openssl steps for docker compose's MariaDB over TLS, run as shown in a temp
 * directory: they must leave every file docker-compose.yml mounts from .local/compose-tls, a
 * server certificate the CA signed for the names the clients verify, and a key MariaDB can read.
 */
describe("docs: the compose TLS certificate steps of docs/localstack.md", function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), "docs-compose-tls-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("make a CA and a server certificate for mysql/localhost that verifies against it", async () => {
    const steps = shownLines(
      "docs/localstack.md",
      "mkdir -p .local/compose-tls",
      "chmod 0644 server-key.pem",
    );
    assert.match(steps, /openssl x509 -req/);
    await bash(steps, { cwd: dir });
    const tls = join(dir, ".local", "compose-tls");

    const mounted = [
      ...readFileSync(join(root, "docker-compose.yml"), "utf8").matchAll(/\/run\/tls\/([\w.-]+)/g),
    ].map((m) => m[1]!);
    assert.ok(mounted.includes("ca.pem") && mounted.includes("server.pem"), mounted.join(", "));
    for (const file of new Set(mounted))
      assert.ok(existsSync(join(tls, file)), `docker-compose.yml reads /run/tls/${file}: not made`);

    const ca = new X509Certificate(readFileSync(join(tls, "ca.pem")));
    const server = new X509Certificate(readFileSync(join(tls, "server.pem")));
    assert.equal(ca.ca, true, "ca.pem is a CA certificate");
    assert.equal(ca.subject, "CN=battle-ready-dev-ca");
    assert.ok(server.verify(ca.publicKey), "server.pem is signed by ca.pem");
    assert.equal(server.issuer, ca.subject);
    assert.equal(server.subject, "CN=mysql");
    assert.equal(server.subjectAltName, "DNS:mysql, DNS:localhost");
    assert.ok(server.checkPrivateKey(createPrivateKey(readFileSync(join(tls, "server-key.pem")))));
    assert.ok(Date.parse(server.validTo) - Date.now() > 300 * 86_400_000, `valid to ${server.validTo}`);
    assert.equal(statSync(join(tls, "server-key.pem")).mode & 0o777, 0o644);
    // What a client checking the chain with openssl sees.
    const { stdout } = await bash("openssl verify -CAfile ca.pem server.pem", { cwd: tls });
    assert.match(stdout, /server\.pem: OK/);
  });
});
