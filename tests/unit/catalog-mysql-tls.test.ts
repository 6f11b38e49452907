import assert from "node:assert/strict";
import { CatalogError, catalog, type ServiceSpec, serviceNamed, validateCatalog } from "../../catalog";

/** The real catalog with one MySQL user changed by `edit`. */
function withChanged(name: string, edit: (s: ServiceSpec) => void): ServiceSpec[] {
  return catalog.map((s) => {
    if (s.name !== name) return s;
    const copy = structuredClone(serviceNamed(name));
    edit(copy);
    return copy;
  });
}

describe("catalog: MySQL only over verified TLS (RDS: require_secure_transport, accounts REQUIRE SSL)", () => {
  it("every MySQL user of the real catalog declares TLS and reads the server's CA", () => {
    const users = catalog.filter((s) => s.uses.mysql);
    assert.ok(users.length >= 4);
    for (const s of users) {
      assert.equal(s.uses.mysql?.tls, true, s.name);
      assert.ok(
        Object.values(s.env).some((e) => e.from === "mysql" && e.field === "tlsCa"),
        `${s.name} reads mysql.tlsCa`,
      );
    }
  });

  it("refuses a MySQL user without uses.mysql.tls, naming the field", () => {
    const edited = withChanged("buffs-server", (s) => {
      s.uses.mysql = { database: "buffs" };
      for (const [variable, source] of Object.entries(s.env))
        if (source.from === "mysql" && source.field === "tlsCa") delete s.env[variable];
    });
    assert.throws(
      () => validateCatalog(edited),
      (error: Error) =>
        error instanceof CatalogError &&
        /^catalog: buffs-server\.uses\.mysql\.tls: must be true/.test(error.message),
    );
  });

  it("refuses a MySQL user that declares TLS but is not given the CA, naming the field", () => {
    const edited = withChanged("oversupply-backend", (s) => {
      delete s.env.MYSQL_TLS_CA;
    });
    assert.throws(
      () => validateCatalog(edited),
      (error: Error) =>
        error instanceof CatalogError &&
        /^catalog: oversupply-backend\.env: .*\{from: "mysql", field: "tlsCa"\}/.test(error.message),
    );
  });
});
