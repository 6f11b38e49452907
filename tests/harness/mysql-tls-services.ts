/**
 * Each MySQL service of the catalog and its TLS mode and CA variables. RDS runs with
 * require_secure_transport=1 and every account REQUIRE SSL, so each must be given both on every
 * platform; the stack tests check that this list is the catalog's MySQL services exactly.
 */
export const MYSQL_TLS_VARIABLES: Readonly<Record<string, readonly [mode: string, ca: string]>> = {
  todo: ["DB_TLS_MODE", "DB_TLS_CA"],
  "buffs-server": ["DBTLSMODE", "DBTLSCA"],
  "call-webhook": ["MYSQL_TLS_MODE", "MYSQL_TLS_CA"],
  "oversupply-backend": ["MYSQL_TLS_MODE", "MYSQL_TLS_CA"],
};
