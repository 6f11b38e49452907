import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { catalog, repoRoot } from "../../catalog";
import type { ServiceSpec } from "../../catalog/types";
import { DEPENDENCY_IMAGES, renderCompose } from "../../platform/compose/render";

describe("docker-compose.yml", () => {
  it("is exactly what scripts/generate-compose.ts renders from the catalog", () => {
    const committed = readFileSync(join(repoRoot, "docker-compose.yml"), "utf8");
    assert.equal(committed, renderCompose(catalog), "run npm run generate:compose and commit the result");
  });

  it("builds each service from its Dockerfile with the repository root as context, dependencies pinned", () => {
    const sample: ServiceSpec[] = [
      {
        name: "shop-api",
        system: "shop",
        kind: "service",
        description: "a sample service",
        entry: "apps/shop-api/src/main.ts",
        port: 9000,
        health: { liveness: "/healthz", readiness: "/readyz" },
        metricsPath: "/metrics",
        publicRoutes: [{ method: "GET", path: "/" }],
        env: {
          DB_PASSWORD: { from: "mysql", field: "password" },
          DB_NAME: { from: "mysql", field: "database" },
          TABLES: { from: "dynamodb", field: "endpoint" },
          TOKEN: { from: "secret", name: "shop-token" },
        },
        uses: {
          mysql: { database: "shop" },
          dynamodb: { tables: [{ name: "t", hashKey: "k", readCapacity: 1, writeCapacity: 1 }] },
        },
        calls: [],
        scaling: { min: 1, max: 2, cpuTarget: 60 },
        resources: { cpu: 128, memory: 128 },
      },
    ];
    const doc = parse(renderCompose(sample));
    const api = doc.services["shop-api"];
    assert.deepEqual(api.build, { context: ".", dockerfile: "apps/shop-api/Dockerfile" });
    assert.equal(api.environment.DB_NAME, "shop");
    // Compose's own interpolation syntax, not a template literal.
    const dollar = "$";
    assert.equal(api.environment.DB_PASSWORD, `${dollar}{MYSQL_PASSWORD:-dev-only-mysql}`);
    assert.equal(api.environment.TOKEN, `${dollar}{SECRET_SHOP_TOKEN:-dev-only-shop-token}`);
    assert.equal(api.environment.TABLES, "http://dynamodb:8000");
    assert.equal(api.read_only, true);
    assert.deepEqual(api.depends_on, {
      mysql: { condition: "service_healthy" },
      dynamodb: { condition: "service_started" },
    });
    assert.equal(doc.services.mysql.image, DEPENDENCY_IMAGES.mysql);
    assert.equal(doc.services.redis, undefined, "only the dependencies the catalog uses");
    assert.match(doc.configs["mysql-databases"].content, /CREATE DATABASE IF NOT EXISTS `shop`/);
    for (const image of Object.values(DEPENDENCY_IMAGES))
      assert.match(image, /:\d+\.\d+\.\d+(-[a-z]+)?$/, `${image} is pinned`);
  });
});
