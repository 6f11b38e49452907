import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type RunningBackend, startBackend } from "../../apps/oversupply-backend/src/backend";
import { type RunningCruncher, startCruncher } from "../../apps/oversupply-cruncher/src/cruncher";
import { updateWeights } from "../../apps/oversupply-cruncher/src/update-rule";
import { type RunningFrontend, startFrontend } from "../../apps/oversupply-frontend/src/frontend";
import type { MatcherConfig } from "../../apps/oversupply-matcher/src/config";
import { type RunningMatcher, startMatcher } from "../../apps/oversupply-matcher/src/matcher";
import type { BrokerConfig } from "../../apps/oversupply-protocol/src/broker-config";
import { WEIGHTS_TOPIC } from "../../apps/oversupply-protocol/src/destinations";
import type { Recommendation } from "../../apps/oversupply-protocol/src/messages";
import { signatureHeaders } from "../../apps/oversupply-protocol/src/signature";
import type { Weights } from "../../apps/oversupply-protocol/src/weights";
import { StompClient } from "../../lib/stomp";
import { type SharedDependencies, sharedDependencies } from "../../local/deps";
import { launchChromium } from "../harness/chromium";
import { eventually } from "../harness/eventually";

function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

const bakeryInAmsterdam = () => ({
  partner: "Bakkerij Jansen",
  category: "bakery",
  item: "sourdough loaves",
  quantity: 40,
  unit: "items",
  location: { lat: 52.3702, lon: 4.8952 },
  bestBefore: tomorrow(),
});

interface View {
  id: string;
  status: string;
  recommendation: Omit<Recommendation, "registrationId"> | null;
  outcome: string | null;
}

/** A switchable fault between the matcher and the backend: fails or loses the next callbacks. */
class CallbackFaults {
  failNext = 0;
  loseResponseNext = 0;
  callbacks = 0;
  private server: Server | undefined;

  constructor(private readonly target: () => string) {}

  async start(): Promise<string> {
    this.server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const isCallback = request.url === "/callbacks/recommendation";
      if (isCallback) this.callbacks++;
      if (isCallback && this.failNext > 0) {
        this.failNext--;
        response.writeHead(500, { "content-type": "application/json" }).end('{"error":"injected failure"}');
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers))
        if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
      const upstream = await fetch(new URL(request.url ?? "/", this.target()), {
        method: request.method,
        headers,
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      }).catch(() => undefined);
      if (!upstream) {
        response.writeHead(502).end();
        return;
      }
      const body = await upstream.text();
      if (isCallback && this.loseResponseNext > 0) {
        // The backend applied it, but the matcher never hears so: it must retry, and the retry must not apply twice.
        this.loseResponseNext--;
        response
          .writeHead(503, { "content-type": "application/json" })
          .end('{"error":"injected lost response"}');
        return;
      }
      response.writeHead(upstream.status, {
        "content-type": upstream.headers.get("content-type") ?? "text/plain",
      });
      response.end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      total += Number(line.split(" ").at(-1));
  }
  return total;
}

describe("oversupply system (backend, matcher, cruncher, frontend on MariaDB and ActiveMQ)", function () {
  this.timeout(180_000);
  let deps: SharedDependencies;
  let broker: BrokerConfig;
  let backend: RunningBackend;
  let matcher: RunningMatcher | undefined;
  let cruncher: RunningCruncher;
  let frontend: RunningFrontend;
  let faults: CallbackFaults;
  let matcherConfig: MatcherConfig;
  const secret = randomBytes(32).toString("base64url");

  const api = async (path: string, init?: RequestInit & { json?: unknown }) => {
    const response = await fetch(new URL(path, backend.url), {
      ...init,
      ...(init?.json !== undefined
        ? {
            body: JSON.stringify(init.json),
            headers: { "content-type": "application/json", ...init.headers },
          }
        : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
  /** Every registration the tests made, so a test can wait for earlier ones to settle first. */
  const registered: string[] = [];
  const register = async (body: unknown = bakeryInAmsterdam()): Promise<string> => {
    const answer = await api("/oversupply", { method: "POST", json: body });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    registered.push(answer.body.id);
    return answer.body.id;
  };
  const view = async (id: string): Promise<View> => (await api(`/oversupply/${id}`)).body;
  const matched = (id: string) =>
    eventually(`registration ${id} to be matched`, async () => {
      const v = await view(id);
      return v.status === "matched" ? v : undefined;
    });
  const metrics = async (url: string) => (await fetch(new URL("/metrics", url))).text();
  const signedPost = (path: string, body: string, headers = signatureHeaders(secret, body)) =>
    fetch(new URL(path, backend.url), {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  const logLevel = process.env.LOG_LEVEL;

  before(async () => {
    process.env.LOG_LEVEL = process.env.OVERSUPPLY_TEST_LOG_LEVEL ?? "error";
    deps = await sharedDependencies();
    const password = randomBytes(12).toString("base64url");
    await deps.mysql.createDatabase("oversupply", "oversupply", password);
    broker = {
      host: deps.activemq.host,
      port: deps.activemq.stompPort,
      user: deps.activemq.user,
      password: deps.activemq.password,
      tls: false,
    };
    backend = await startBackend({
      port: 0,
      mysql: {
        host: deps.mysql.host,
        port: deps.mysql.port,
        user: "oversupply",
        password,
        database: "oversupply",
      },
      activemq: broker,
      callbackSecret: secret,
      outboxPollMs: 200,
    });
    faults = new CallbackFaults(() => backend.url);
    const faultyBackendUrl = await faults.start();
    matcherConfig = {
      port: 0,
      backendUrl: faultyBackendUrl,
      callbackSecret: secret,
      activemq: broker,
      prefetch: 4,
      delivery: { maxAttempts: 8, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 5000 },
      weightsRefreshMs: 60_000,
    };
    matcher = await startMatcher(matcherConfig);
    cruncher = await startCruncher({
      port: 0,
      backendUrl: backend.url,
      secret,
      activemq: broker,
      intervalMs: 300,
      learningRate: 2,
      minOutcomes: 3,
    });
    frontend = await startFrontend({ port: 0, backendUrl: backend.url });
  });

  after(async () => {
    await frontend?.close();
    await cruncher?.close();
    await matcher?.close();
    await faults?.stop();
    await backend?.close();
    process.env.LOG_LEVEL = logLevel;
  });

  it("end to end in Chromium: register oversupply and see the recommended match appear", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      // The page's own code must not fail; the browser's "failed to load resource" for the
      // deliberate 400 below is not an error of the page.
      page.on("console", (message) => {
        if (message.type() === "error" && !/status of 400/.test(message.text())) errors.push(message.text());
      });
      const response = await page.goto(frontend.url);
      assert.match(response?.headers()["content-security-policy"] ?? "", /default-src 'self'/);
      await page.getByLabel("Partner (your organisation)", { exact: true }).fill("Bakkerij Jansen");
      await page.locator("#category option[value=bakery]").waitFor({ state: "attached" });
      await page.locator("#category").selectOption("bakery");
      await page.getByLabel("Item", { exact: true }).fill("croissants");
      await page.getByLabel("Quantity", { exact: true }).fill("60");
      await page.locator("#unit").selectOption("items");
      await page.getByLabel("Pickup latitude", { exact: true }).fill("51.9225");
      await page.getByLabel("Pickup longitude", { exact: true }).fill("4.4792");
      await page.getByLabel("Best before", { exact: true }).fill(tomorrow());
      await page.getByRole("button", { name: "Register" }).click();

      const item = page.locator("#registrations li").first();
      await item.locator('[data-status="matched"]').waitFor({ timeout: 30_000 });
      const partnerName = await item.locator(".partner-name").textContent();
      const id = await item.getAttribute("data-id");
      const stored = await view(id!);
      assert.equal(partnerName, stored.recommendation?.partner?.name);
      assert.match(
        (await item.textContent()) ?? "",
        /Rotterdam/,
        "a Rotterdam pickup is matched in Rotterdam",
      );

      await item.getByRole("button", { name: "Accept match" }).click();
      await item.locator(".outcome").waitFor();
      assert.equal((await view(id!)).outcome, "accepted");

      // Bad input in the form is reported on the page, from the backend's 400.
      await page.getByLabel("Item", { exact: true }).fill("rolls");
      await page.getByLabel("Quantity", { exact: true }).fill("-3");
      await page.getByLabel("Pickup latitude", { exact: true }).fill("51.9");
      await page.getByLabel("Pickup longitude", { exact: true }).fill("4.4");
      await page.getByLabel("Best before", { exact: true }).fill(tomorrow());
      await page.getByRole("button", { name: "Register" }).click();
      await page.locator("#form-error", { hasText: "quantity must be a number > 0" }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });

  it("bad input on every endpoint gets a clear 400 (401 for a bad signature)", async () => {
    const good = bakeryInAmsterdam();
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...good, partner: "" }, /^partner must not be empty/],
      [{ ...good, partner: "x".repeat(201) }, /^partner must be at most 200 characters/],
      [{ ...good, category: 7 }, /^category must be a string/],
      [{ ...good, item: undefined }, /^item must be a string/],
      [{ ...good, quantity: 0 }, /^quantity must be a number > 0/],
      [{ ...good, quantity: "12" }, /^quantity must be a number > 0/],
      [{ ...good, unit: "" }, /^unit must not be empty/],
      [{ ...good, location: { lat: -91, lon: 4 } }, /^location.lat must be between -90 and 90/],
      [{ ...good, location: { lat: 52, lon: 180.5 } }, /^location.lon must be between -180 and 180/],
      [{ ...good, location: "Amsterdam" }, /^location must be an object/],
      [{ ...good, bestBefore: "2025-13-01" }, /^bestBefore must be a real date/],
      [{ ...good, bestBefore: "2020-01-01" }, /^bestBefore must not be in the past/],
    ];
    for (const [body, reason] of bad) {
      const answer = await api("/oversupply", { method: "POST", json: body });
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match(answer.body.error, reason);
    }
    const malformed = await fetch(new URL("/oversupply", backend.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as { error: string }).error, /malformed JSON/);

    // A retried submission with the same idempotency key returns the first registration.
    const key = randomUUID();
    const once = await api("/oversupply", {
      method: "POST",
      json: good,
      headers: { "idempotency-key": key },
    });
    const twice = await api("/oversupply", {
      method: "POST",
      json: good,
      headers: { "idempotency-key": key },
    });
    assert.equal(once.status, 202);
    assert.equal(twice.status, 202);
    assert.equal(twice.body.id, once.body.id);
    registered.push(once.body.id);
    const badKey = await api("/oversupply", {
      method: "POST",
      json: good,
      headers: { "idempotency-key": "a b" },
    });
    assert.equal(badKey.status, 400);
    assert.match(badKey.body.error, /^idempotency-key must be/);

    assert.equal((await api("/oversupply/12")).status, 400);
    assert.match((await api("/oversupply/12")).body.error, /^id must be a registration id/);
    assert.equal((await api(`/oversupply/${randomUUID()}`)).status, 404);
    const id = await register();
    const outcome = await api(`/oversupply/${id}/outcome`, { method: "POST", json: { outcome: "maybe" } });
    assert.equal(outcome.status, 400);
    assert.match(outcome.body.error, /^outcome must be "accepted" or "rejected"/);
    assert.equal((await api("/outcomes?after=-1")).status, 400);
    assert.equal((await api("/outcomes?limit=100000")).status, 400);

    // The page's proxy passes the backend's answer through.
    const proxied = await fetch(new URL("/api/oversupply", frontend.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...good, bestBefore: "2026-02-30" }),
    });
    assert.equal(proxied.status, 400);
    assert.match(((await proxied.json()) as { error: string }).error, /^bestBefore must be a real date/);
    assert.equal(
      (await fetch(new URL("/api/callbacks/recommendation", frontend.url), { method: "POST" })).status,
      404,
    );

    // Signed endpoints: no, a wrong or a stale signature is 401; a signed but invalid body is 400.
    const body = JSON.stringify({ registrationId: id, partner: null });
    for (const headers of [
      {},
      signatureHeaders("not-the-secret", body),
      signatureHeaders(secret, body, Date.now() - 3_600_000),
      { ...signatureHeaders(secret, body), "x-oversupply-signature": "sha256=abc" },
    ]) {
      const answer = await signedPost("/callbacks/recommendation", body, headers as Record<string, string>);
      assert.equal(answer.status, 401);
      assert.match(((await answer.json()) as { error: string }).error, /^invalid signature/);
    }
    const invalid = await signedPost("/callbacks/recommendation", body);
    assert.equal(invalid.status, 400);
    assert.match(((await invalid.json()) as { error: string }).error, /^alternatives must be an array/);
    const notJson = await signedPost("/callbacks/recommendation", "{oops");
    assert.equal(notJson.status, 400);
    const weights = await signedPost(
      "/weights",
      JSON.stringify({ basedOnVersion: 1, weights: { proximity: -1 } }),
    );
    assert.equal(weights.status, 400);
    assert.equal((await signedPost("/weights", "{}", {})).status, 401);
  });

  it("applies a recommendation delivered twice only once, answering 200 both times", async () => {
    await matcher?.close();
    matcher = undefined;
    try {
      const id = await register();
      const recommendation = (partnerId: string): Recommendation => ({
        registrationId: id,
        partner: { id: partnerId, name: partnerId, location: { lat: 52, lon: 5 } },
        score: 0.5,
        distanceKm: 10,
        features: { proximity: 0.5, categoryFit: 1, capacityFit: 1, freshness: 1 },
        weightsVersion: 1,
        alternatives: [],
        matchedAt: new Date().toISOString(),
      });
      const early = await api(`/oversupply/${id}/outcome`, { method: "POST", json: { outcome: "accepted" } });
      assert.equal(early.status, 409);
      assert.match(early.body.error, /no recommendation yet/);
      const first = await signedPost("/callbacks/recommendation", JSON.stringify(recommendation("first")));
      assert.equal(first.status, 200);
      assert.deepEqual(await first.json(), { registrationId: id, applied: true });
      const again = await signedPost("/callbacks/recommendation", JSON.stringify(recommendation("second")));
      assert.equal(again.status, 200);
      assert.deepEqual(await again.json(), { registrationId: id, applied: false });
      assert.equal((await view(id)).recommendation?.partner?.id, "first");
      assert.equal(
        (await api(`/oversupply/${id}/outcome`, { method: "POST", json: { outcome: "rejected" } })).status,
        200,
      );
      assert.equal(
        (await api(`/oversupply/${id}/outcome`, { method: "POST", json: { outcome: "rejected" } })).status,
        200,
      );
      const changed = await api(`/oversupply/${id}/outcome`, {
        method: "POST",
        json: { outcome: "accepted" },
      });
      assert.equal(changed.status, 409);
      assert.match(changed.body.error, /different outcome/);
      const unknown = await signedPost(
        "/callbacks/recommendation",
        JSON.stringify({ ...recommendation("x"), registrationId: randomUUID() }),
      );
      assert.equal(unknown.status, 404);
    } finally {
      // The registration's own match request is still on the queue: the next matcher's delivery is a duplicate.
      matcher ??= await startMatcher(matcherConfig);
    }
  });

  it("matcher down: match requests wait on the bus and are processed once it is back", async () => {
    await matcher?.close();
    matcher = undefined;
    const published = metricValue(await metrics(backend.url), "oversupply_outbox_published_total");
    const ids = [await register(), await register(), await register()];
    await eventually("the match requests to be on the broker", async () => {
      const now = metricValue(await metrics(backend.url), "oversupply_outbox_published_total");
      return now >= published + 3 ? true : undefined;
    });
    for (const id of ids) assert.equal((await view(id)).status, "pending");

    matcher = await startMatcher(matcherConfig);
    for (const id of ids) {
      const v = await matched(id);
      assert.ok(v.recommendation?.partner);
    }
  });

  it("callback failing: the matcher retries, and no recommendation is lost or applied twice", async () => {
    for (const id of registered) await matched(id);
    const before = await metrics(backend.url);
    const appliedBefore = metricValue(before, "oversupply_recommendation_deliveries_total", {
      result: "applied",
    });
    const duplicatesBefore = metricValue(before, "oversupply_recommendation_deliveries_total", {
      result: "duplicate",
    });
    const matcherBefore = await metrics(matcher!.url);
    const retriesBefore = metricValue(matcherBefore, "oversupply_callback_retries_total");
    const undeliveredBefore = metricValue(matcherBefore, "oversupply_match_requests_total", {
      result: "undelivered",
    });
    // More failures (40) than four concurrent handlings can absorb (4 × 8 attempts): at least one
    // handling gives up, hands the request back to the broker and gets it redelivered.
    faults.failNext = 40;
    faults.loseResponseNext = 2;
    const ids = await Promise.all([register(), register(), register(), register()]);
    for (const id of ids) await matched(id);
    assert.equal(faults.failNext, 0);
    assert.equal(faults.loseResponseNext, 0);

    // A registration is matched as soon as its first delivery is applied; the retries of the lost
    // responses may still be on their way.
    const after = await eventually("the retried deliveries to reach the backend as duplicates", async () => {
      const text = await metrics(backend.url);
      const duplicates = metricValue(text, "oversupply_recommendation_deliveries_total", {
        result: "duplicate",
      });
      return duplicates - duplicatesBefore >= 2 ? text : undefined;
    });
    assert.equal(
      metricValue(after, "oversupply_recommendation_deliveries_total", { result: "applied" }) - appliedBefore,
      ids.length,
      "each registration's recommendation applied exactly once",
    );
    const matcherAfter = await metrics(matcher!.url);
    assert.ok(metricValue(matcherAfter, "oversupply_callback_retries_total") > retriesBefore);
    assert.ok(
      metricValue(matcherAfter, "oversupply_match_requests_total", { result: "undelivered" }) >
        undeliveredBefore,
      "a handling gave up and the broker redelivered its request",
    );
  });

  it("a cruncher round learns from outcomes and the next recommendation uses the new weights version", async () => {
    const previous = (await api("/weights/current")).body as {
      version: number;
      weights: Weights;
      outcomesThrough: number;
    };
    // Three matches, judged by their partners: enough outcomes for a round (MIN_OUTCOMES 3).
    const ids = [await register(), await register(), await register()];
    for (const id of ids) await matched(id);
    for (const [i, id] of ids.entries()) {
      const answer = await api(`/oversupply/${id}/outcome`, {
        method: "POST",
        json: { outcome: i === 0 ? "accepted" : "rejected" },
      });
      assert.equal(answer.status, 200);
    }
    const next = await eventually("the cruncher to store a new weights version", async () => {
      const current = (await api("/weights/current")).body as {
        version: number;
        weights: Weights;
        outcomesThrough: number;
      };
      return current.version > previous.version ? current : undefined;
    });
    const learned = (await api(`/outcomes?after=${previous.outcomesThrough}`)).body.outcomes.filter(
      (o: { id: number }) => o.id <= next.outcomesThrough,
    );
    const expected = updateWeights(previous.weights, learned, 2);
    for (const [feature, weight] of Object.entries(expected))
      assert.ok(Math.abs(weight - next.weights[feature as keyof Weights]) < 1e-9, feature);

    await eventually("the matcher to apply the published version", async () =>
      matcher!.weights.get()!.version === next.version ? true : undefined,
    );
    const id = await register();
    assert.equal((await matched(id)).recommendation?.weightsVersion, next.version);
  });

  it("a weights update on the bus changes the next recommendation, without restarting the matcher", async () => {
    const request = { ...bakeryInAmsterdam(), quantity: 500, unit: "kg", category: "produce" };
    const publishWeights = async (weights: Weights) => {
      const current = (await api("/weights/current")).body as { version: number; outcomesThrough: number };
      const body = JSON.stringify({
        basedOnVersion: current.version,
        weights,
        outcomesThrough: current.outcomesThrough,
      });
      const stored = await signedPost("/weights", body);
      assert.equal(stored.status, 201);
      const version = (await stored.json()) as { version: number; weights: Weights; createdAt: string };
      const bus = new StompClient({
        host: broker.host,
        port: broker.port,
        login: broker.user,
        passcode: broker.password,
      });
      bus.start();
      try {
        await eventually("a bus connection", async () => (bus.connected ? true : undefined));
        await bus.send(WEIGHTS_TOPIC, JSON.stringify(version), { "content-type": "application/json" });
      } finally {
        await bus.close();
      }
      await eventually("the matcher to apply the new weights", async () =>
        matcher!.weights.get()!.version === version.version ? true : undefined,
      );
      return version.version;
    };

    const nearVersion = await publishWeights({ proximity: 1, categoryFit: 0, capacityFit: 0, freshness: 0 });
    const near = (await matched(await register(request))).recommendation!;
    assert.equal(near.weightsVersion, nearVersion);

    const roomyVersion = await publishWeights({ proximity: 0, categoryFit: 0, capacityFit: 1, freshness: 0 });
    const roomy = (await matched(await register(request))).recommendation!;
    assert.equal(roomy.weightsVersion, roomyVersion);
    assert.notEqual(
      roomy.partner?.id,
      near.partner?.id,
      "capacity-first weights pick another partner than proximity-first",
    );
    assert.ok(roomy.distanceKm! > near.distanceKm!);
  });
});
