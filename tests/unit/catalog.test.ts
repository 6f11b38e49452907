import assert from "node:assert/strict";
import {
  CatalogError,
  catalog,
  type JobSpec,
  repoRoot,
  type ServiceSpec,
  type ServingSpec,
  validateCatalog,
} from "../../catalog";

function sample(overrides: Partial<ServingSpec> = {}): ServiceSpec {
  return {
    name: "sample-api",
    system: "sample",
    kind: "service",
    description: "A sample service used by the catalog tests.",
    entry: "catalog/index.ts",
    port: 9000,
    health: { liveness: "/healthz", readiness: "/readyz" },
    metricsPath: "/metrics",
    publicRoutes: [{ method: "GET", path: "/things" }],
    env: { PORT: { from: "platform", field: "port" } },
    uses: {},
    calls: [],
    scaling: { min: 1, max: 2, cpuTarget: 60 },
    resources: { cpu: 256, memory: 256 },
    ...overrides,
  };
}

describe("service catalog", () => {
  it("the real catalog validates, with unique names and ports and existing entry files", () => {
    assert.doesNotThrow(() => validateCatalog(catalog, repoRoot));
    assert.equal(new Set(catalog.map((s) => s.name)).size, catalog.length);
  });

  it("accepts a well-formed entry", () => {
    assert.equal(validateCatalog([sample()]).length, 1);
  });

  const broken: [string, Partial<ServingSpec> | ((s: ServiceSpec) => unknown), RegExp][] = [
    ["a bad name", { name: "Bad_Name" }, /Bad_Name\.name: must be 3-40 lowercase/],
    [
      "min above max",
      { scaling: { min: 3, max: 2, cpuTarget: 50 } },
      /sample-api\.scaling\.min: must be at most scaling\.max \(3 > 2\)/,
    ],
    ["a privileged port", { port: 80 }, /sample-api\.port/],
    [
      "a health path without a slash",
      { health: { liveness: "healthz", readiness: "/readyz" } },
      /sample-api\.health\.liveness/,
    ],
    [
      "an unknown dependency",
      { uses: { postgres: {} } as never },
      /sample-api\.uses\.postgres: unknown dependency/,
    ],
    [
      "an env var reading an undeclared dependency",
      { env: { DBHOST: { from: "mysql", field: "host" } } },
      /sample-api\.env\.DBHOST: reads mysql/,
    ],
    ["a call to an unknown service", { calls: ["ghost"] }, /sample-api\.calls: unknown service "ghost"/],
    [
      "a lower-case env name",
      { env: { port: { from: "platform", field: "port" } } },
      /sample-api\.env\.port/,
    ],
    ["a missing env", (s) => Object.assign(s, { env: undefined }), /sample-api\.env: is required/],
    [
      "a null public route",
      (s) => Object.assign(s, { publicRoutes: [null] }),
      /sample-api\.publicRoutes\[0\]: must be/,
    ],
    [
      "tables that are not a list",
      { uses: { dynamodb: { tables: "orders" as never } } },
      /sample-api\.uses\.dynamodb\.tables: must be an array/,
    ],
    [
      "a broker use without destinations",
      { uses: { activemq: {} as never } },
      /sample-api\.uses\.activemq\.destinations: must list/,
    ],
    [
      "an env field its source does not have",
      { env: { APP_PORT: { from: "platform", field: "region" as never } } },
      /sample-api\.env\.APP_PORT: platform has no field "region"; it offers port, logLevel, environment/,
    ],
    ["a call to itself", { calls: ["sample-api"] }, /sample-api\.calls: a service does not call itself/],
    [
      "a TTL on the hash key",
      {
        uses: {
          dynamodb: {
            tables: [
              { name: "things", hashKey: "id", readCapacity: 1, writeCapacity: 1, ttlAttribute: "id" },
            ],
          },
        },
      },
      /sample-api\.uses\.dynamodb\.tables\[0\]\.ttlAttribute: cannot be the hash key/,
    ],
    [
      "a missing entry file",
      { entry: "apps/nowhere/main.ts" },
      /sample-api\.entry: file apps\/nowhere\/main\.ts does not exist/,
    ],
  ];
  for (const [what, change, message] of broken) {
    it(`rejects ${what}, naming the field`, () => {
      const entry = typeof change === "function" ? sample() : sample(change);
      if (typeof change === "function") change(entry);
      assert.throws(
        () => validateCatalog([entry], repoRoot),
        (e: unknown) => e instanceof CatalogError && message.test(e.message),
      );
    });
  }

  describe("scaling.queue", () => {
    const consumer = (queue: NonNullable<ServiceSpec["scaling"]["queue"]>) =>
      sample({
        kind: "worker",
        publicRoutes: [],
        uses: { activemq: { destinations: ["/queue/jobs", "/topic/news"] } },
        scaling: { min: 1, max: 4, cpuTarget: 70, queue },
      });

    it("accepts a consumed queue with a positive target", () => {
      assert.equal(
        validateCatalog([consumer({ destination: "/queue/jobs", targetDepthPerInstance: 20 })]).length,
        1,
      );
    });

    it("the matcher scales on its match-requests queue", () => {
      const matcher = catalog.find((s) => s.name === "oversupply-matcher")!;
      assert.deepEqual(matcher.scaling.queue, {
        destination: "/queue/oversupply.match-requests",
        targetDepthPerInstance: 20,
      });
    });

    const bad: [string, NonNullable<ServiceSpec["scaling"]["queue"]>, RegExp][] = [
      [
        "a queue the service does not use",
        { destination: "/queue/other", targetDepthPerInstance: 20 },
        /sample-api\.scaling\.queue\.destination: must be one of uses\.activemq\.destinations \(\/queue\/jobs, \/topic\/news; got "\/queue\/other"\)/,
      ],
      [
        "a topic",
        { destination: "/topic/news", targetDepthPerInstance: 20 },
        /sample-api\.scaling\.queue\.destination: must be a \/queue\/ destination/,
      ],
      [
        "a zero target",
        { destination: "/queue/jobs", targetDepthPerInstance: 0 },
        /sample-api\.scaling\.queue\.targetDepthPerInstance: must be a positive number \(got 0\)/,
      ],
      [
        "a negative target",
        { destination: "/queue/jobs", targetDepthPerInstance: -5 },
        /sample-api\.scaling\.queue\.targetDepthPerInstance: must be a positive number \(got -5\)/,
      ],
    ];
    for (const [what, queue, message] of bad) {
      it(`rejects ${what}, naming the field`, () => {
        assert.throws(
          () => validateCatalog([consumer(queue)]),
          (e: unknown) => e instanceof CatalogError && message.test(e.message),
        );
      });
    }

    it("rejects a queue on a service without a broker", () => {
      const entry = sample({
        scaling: {
          min: 1,
          max: 2,
          cpuTarget: 60,
          queue: { destination: "/queue/jobs", targetDepthPerInstance: 5 },
        },
      });
      assert.throws(
        () => validateCatalog([entry]),
        /scaling\.queue\.destination: must be one of uses\.activemq\.destinations \(none;/,
      );
    });
  });

  describe("jobs", () => {
    function job(overrides: Partial<JobSpec> = {}): JobSpec {
      return {
        name: "sample-job",
        system: "sample",
        kind: "job",
        description: "A sample job used by the catalog tests.",
        entry: "catalog/index.ts",
        args: ["--allow-remote"],
        publicRoutes: [],
        env: { TARGET: { from: "service", service: "sample-api", field: "url" } },
        uses: {},
        calls: ["sample-api"],
        scaling: { min: 0, max: 1, cpuTarget: 80 },
        resources: { cpu: 256, memory: 256 },
        ...overrides,
      };
    }
    const loose = (fields: Record<string, unknown>) => job(fields as Partial<JobSpec>);

    it("accepts a job without port, health or metrics path, with args", () => {
      assert.equal(validateCatalog([sample(), job()]).length, 2);
      assert.equal(validateCatalog([sample(), job({ args: undefined })]).length, 2);
    });

    it("tgibf is such a job and runs with --allow-remote", () => {
      const tgibf = catalog.find((s) => s.name === "tgibf")!;
      assert.equal(tgibf.kind, "job");
      assert.equal(tgibf.port, undefined);
      assert.equal(tgibf.health, undefined);
      assert.equal(tgibf.metricsPath, undefined);
      assert.ok(tgibf.args?.includes("--allow-remote"));
    });

    const bad: [string, Record<string, unknown>, RegExp][] = [
      ["a port", { port: 8091 }, /sample-job\.port: a job serves no HTTP/],
      [
        "health paths",
        { health: { liveness: "/healthz", readiness: "/readyz" } },
        /sample-job\.health: a job serves no HTTP/,
      ],
      ["a metrics path", { metricsPath: "/metrics" }, /sample-job\.metricsPath: a job serves no HTTP/],
      ["args that are not an array", { args: "--allow-remote" }, /sample-job\.args: must be an array/],
      ["an empty argument", { args: ["--allow-remote", ""] }, /sample-job\.args\[1\]: must be a non-empty/],
      [
        "the platform's port in its env",
        { env: { PORT: { from: "platform", field: "port" } } },
        /sample-job\.env\.PORT: a job has no port/,
      ],
    ];
    for (const [what, fields, message] of bad) {
      it(`rejects a job with ${what}, naming the field`, () => {
        assert.throws(
          () => validateCatalog([sample(), loose(fields)]),
          (e: unknown) => e instanceof CatalogError && message.test(e.message),
        );
      });
    }

    it("rejects args on a service, and a call to a job", () => {
      assert.throws(
        () => validateCatalog([sample({ args: ["--x"] } as unknown as Partial<ServingSpec>)]),
        /sample-api\.args: only a job takes args/,
      );
      assert.throws(
        () => validateCatalog([sample({ calls: ["sample-job"] }), job()]),
        /sample-api\.calls: sample-job is a job, which serves nothing to call/,
      );
    });
  });

  it("rejects two services on one port", () => {
    assert.throws(
      () => validateCatalog([sample(), sample({ name: "other-api" })]),
      /other-api\.port: 9000 is already used by sample-api/,
    );
  });
});
