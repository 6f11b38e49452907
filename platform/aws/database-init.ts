import * as pulumi from "@pulumi/pulumi";
import { secretRef } from "../../components/secrets/ref";
import type { InitContainer } from "../../components/service-fleet/args";
import { RDS_CA_BUNDLE_PATH } from "../../components/service-fleet/container";

/** The MariaDB client, from ECR Public's mirror of the Docker official images (no Hub rate limits). */
export const MARIADB_CLIENT_IMAGE = "public.ecr.aws/docker/library/mariadb:11.4.4";
/** The `mysql` user of that image. */
const MARIADB_IMAGE_USER = "999:999";
/** MySQL 8 refuses user names longer than this. */
export const MYSQL_USER_NAME_MAX = 32;

/** A service's own MySQL account name: the service's name, cut to MySQL's 32 characters. */
export function mysqlUserName(service: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(service))
    throw new Error(`service name ${JSON.stringify(service)} is not a valid MySQL user name`);
  return service.slice(0, MYSQL_USER_NAME_MAX);
}

/** The master account the init container connects with. */
export interface MysqlMaster {
  host: pulumi.Input<string>;
  port: pulumi.Input<number>;
  username: string;
  secretArn: pulumi.Input<string>;
}

/** The service's own account: its name and the secret holding its generated password. */
export interface MysqlAccount {
  username: string;
  secretArn: pulumi.Input<string>;
}

/**
 * RDS creates only one database with the instance; every service creates its own before it
 * starts, idempotently, over verified TLS, and its own account: `REQUIRE SSL`, all privileges on
 * that database only. The init container connects as the master (`MYSQL_PWD`, which the client
 * reads from its environment); both passwords come from Secrets Manager by reference, and the
 * service's reaches MariaDB on stdin (a here-document), never in a command line.
 * `ALTER USER` re-applies the password each start, so a rotated secret takes effect.
 */
export function databaseInitContainer(
  database: string,
  master: MysqlMaster,
  account: MysqlAccount,
): InitContainer {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(database))
    throw new Error(`database name ${JSON.stringify(database)} is not valid`);
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(account.username))
    throw new Error(`MySQL user name ${JSON.stringify(account.username)} is not valid`);
  const user = `'${account.username}'@'%'`;
  const password = "'$SERVICE_DB_PASSWORD'";
  const script = [
    "set -eu",
    // The generated passwords are letters and digits; anything else could break out of the SQL string.
    'case "$SERVICE_DB_PASSWORD" in ""|*[!A-Za-z0-9]*) echo "create-database: SERVICE_DB_PASSWORD must be letters and digits only" >&2; exit 1;; esac',
    `exec mariadb --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" --ssl-ca=${RDS_CA_BUNDLE_PATH} --ssl-verify-server-cert <<SQL`,
    `CREATE DATABASE IF NOT EXISTS \\\`${database}\\\`;`,
    `CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY ${password} REQUIRE SSL;`,
    `ALTER USER ${user} IDENTIFIED BY ${password} REQUIRE SSL;`,
    `GRANT ALL PRIVILEGES ON \\\`${database}\\\`.* TO ${user};`,
    "SQL",
  ].join("\n");
  return {
    name: "create-database",
    image: MARIADB_CLIENT_IMAGE,
    user: MARIADB_IMAGE_USER,
    command: ["sh", "-c", script],
    environment: {
      DB_HOST: master.host,
      DB_PORT: pulumi.output(master.port).apply(String),
      DB_USER: master.username,
    },
    secrets: {
      MYSQL_PWD: secretRef(master.secretArn),
      SERVICE_DB_PASSWORD: secretRef(account.secretArn),
    },
  };
}
