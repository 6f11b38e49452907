import assert from "node:assert/strict";
import { CatalogError, catalog, repoRoot, type ServiceSpec, validateCatalog } from "../../catalog";

function sample(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
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

  const broken: [string, Partial<ServiceSpec> | ((s: ServiceSpec) => unknown), RegExp][] = [
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
    [
      "a missing entry file",
      { entry: "apps/nowhere/main.ts" },
      /sample-api\.entry: file apps\/nowhere\/main\.ts does not exist/,
    ],
  ];
  for (const [what, change, message] of broken) {
    it(`rejects ${what}, naming the field`, () => {
      const entry = typeof change === "function" ? sample() : sample(change);
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

  it("rejects two services on one port", () => {
    assert.throws(
      () => validateCatalog([sample(), sample({ name: "other-api" })]),
      /other-api\.port: 9000 is already used by sample-api/,
    );
  });
});
