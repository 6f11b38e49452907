import * as pulumi from "@pulumi/pulumi";
import { secretRef } from "../../components/secrets/ref";
import type { InitContainer } from "../../components/service-fleet/args";
import { RDS_CA_BUNDLE_PATH } from "../../components/service-fleet/container";

/** The MariaDB client, from ECR Public's mirror of the Docker official images (no Hub rate limits). */
export const MARIADB_CLIENT_IMAGE = "public.ecr.aws/docker/library/mariadb:11.4.4";
/** The `mysql` user of that image. */
const MARIADB_IMAGE_USER = "999:999";

/**
 * RDS creates only one database with the instance; every service creates its own before it
 * starts, idempotently, over verified TLS, with the master password read from Secrets Manager by
 * reference (`MYSQL_PWD`, which the client reads from its environment).
 */
export function databaseInitContainer(
  database: string,
  mysql: {
    host: pulumi.Input<string>;
    port: pulumi.Input<number>;
    username: string;
    secretArn: pulumi.Input<string>;
  },
): InitContainer {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(database))
    throw new Error(`database name ${JSON.stringify(database)} is not valid`);
  return {
    name: "create-database",
    image: MARIADB_CLIENT_IMAGE,
    user: MARIADB_IMAGE_USER,
    command: [
      "sh",
      "-c",
      `exec mariadb --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" --ssl-ca=${RDS_CA_BUNDLE_PATH} --ssl-verify-server-cert --execute='CREATE DATABASE IF NOT EXISTS \`${database}\`'`,
    ],
    environment: {
      DB_HOST: mysql.host,
      DB_PORT: pulumi.output(mysql.port).apply(String),
      DB_USER: mysql.username,
    },
    secrets: { MYSQL_PWD: secretRef(mysql.secretArn) },
  };
}
