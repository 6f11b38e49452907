import assert from "node:assert/strict";
import { validateRegistration } from "../../apps/oversupply-backend/src/registrations/validate-registration";
import { updateWeights } from "../../apps/oversupply-cruncher/src/update-rule";
import { backoffDelayMs } from "../../apps/oversupply-matcher/src/delivery/backoff";
import { recommend } from "../../apps/oversupply-matcher/src/model/recommend";
import { DEMAND_PARTNERS } from "../../apps/oversupply-matcher/src/partners/demand-partners";
import { CurrentWeights } from "../../apps/oversupply-matcher/src/weights/current-weights";
import type { MatchRequest } from "../../apps/oversupply-protocol/src/messages";
import { signatureHeaders, verifySignature } from "../../apps/oversupply-protocol/src/signature";
import { CATEGORIES, UNITS } from "../../apps/oversupply-protocol/src/vocabulary";
import { INITIAL_WEIGHTS, type Weights } from "../../apps/oversupply-protocol/src/weights";

const NOW = Date.parse("2026-06-15T10:00:00Z");
const valid = {
  partner: "Bakkerij Jansen",
  category: "bakery",
  item: "sourdough loaves",
  quantity: 40,
  unit: "items",
  location: { lat: 52.37, lon: 4.9 },
  bestBefore: "2026-06-16",
};

describe("oversupply domain", () => {
  describe("registration validation", () => {
    it("accepts a complete registration and normalises case", () => {
      const r = validateRegistration({ ...valid, category: "Bakery" }, NOW);
      assert.deepEqual(r, { ...valid, category: "bakery" });
    });

    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["empty partner", { partner: "  " }, /^partner must not be empty/],
      ["long item", { item: "x".repeat(201) }, /^item must be at most 200/],
      ["unknown category", { category: "furniture" }, /^category must be one of/],
      ["zero quantity", { quantity: 0 }, /^quantity must be a number > 0/],
      ["quantity as string", { quantity: "5" }, /^quantity must be a number > 0/],
      ["unknown unit", { unit: "barrels" }, /^unit must be one of/],
      [
        "latitude out of range",
        { location: { lat: 91, lon: 0 } },
        /^location.lat must be between -90 and 90/,
      ],
      [
        "longitude out of range",
        { location: { lat: 0, lon: -181 } },
        /^location.lon must be between -180 and 180/,
      ],
      ["location missing", { location: undefined }, /^location must be an object/],
      ["31 February", { bestBefore: "2026-02-31" }, /^bestBefore must be a real date/],
      ["wrong date format", { bestBefore: "16/06/2026" }, /^bestBefore must be a real date/],
      ["date in the past", { bestBefore: "2026-06-13" }, /^bestBefore must not be in the past/],
      ["unknown field", { colour: "red" }, /^colour is not a known field/],
    ];
    for (const [name, change, message] of cases) {
      it(`rejects ${name}`, () => {
        assert.throws(() => validateRegistration({ ...valid, ...change }, NOW), { message });
      });
    }

    it("does not call yesterday in UTC the past for a partner west of Greenwich", () => {
      // 2026-06-15 05:00 UTC is still 2026-06-14 in UTC-10.
      assert.doesNotThrow(() =>
        validateRegistration({ ...valid, bestBefore: "2026-06-14" }, Date.parse("2026-06-15T05:00:00Z")),
      );
    });
  });

  describe("signature", () => {
    const secret = "s3cret";
    it("verifies its own signature and rejects a changed body, another secret and an old timestamp", () => {
      const headers = signatureHeaders(secret, '{"a":1}', NOW);
      assert.deepEqual(verifySignature(secret, '{"a":1}', headers, NOW), { ok: true });
      assert.equal(verifySignature(secret, '{"a":2}', headers, NOW).ok, false);
      assert.equal(verifySignature("other", '{"a":1}', headers, NOW).ok, false);
      const late = verifySignature(secret, '{"a":1}', headers, NOW + 301_000);
      assert.equal(late.ok, false);
      assert.match((late as { reason: string }).reason, /tolerance/);
    });
  });

  describe("matching model", () => {
    const request: MatchRequest = {
      registrationId: "00000000-0000-4000-8000-000000000001",
      category: "bakery",
      item: "bread",
      quantity: 40,
      unit: "items",
      location: { lat: 52.37, lon: 4.9 },
      bestBefore: "2026-06-16",
    };
    const weights = (w: Weights, version = 1) => ({
      version,
      weights: w,
      createdAt: new Date(NOW).toISOString(),
    });

    it("ships 20-40 partners that use only the system's categories and units", () => {
      assert.ok(DEMAND_PARTNERS.length >= 20 && DEMAND_PARTNERS.length <= 40);
      for (const p of DEMAND_PARTNERS) {
        for (const c of p.categories)
          assert.ok((CATEGORIES as readonly string[]).includes(c), `${p.id}: ${c}`);
        for (const u of Object.keys(p.capacity))
          assert.ok((UNITS as readonly string[]).includes(u), `${p.id}: ${u}`);
      }
      for (const c of CATEGORIES)
        assert.ok(DEMAND_PARTNERS.filter((p) => p.categories.includes(c)).length >= 3, c);
    });

    it("recommends an accepting partner, reports the weights version and scores in [0, 1]", () => {
      const r = recommend(request, DEMAND_PARTNERS, weights(INITIAL_WEIGHTS, 7), NOW);
      assert.ok(r.partner);
      const partner = DEMAND_PARTNERS.find((p) => p.id === r.partner?.id)!;
      assert.ok(partner.categories.includes("bakery"));
      assert.equal(r.weightsVersion, 7);
      assert.ok(r.score > 0 && r.score <= 1);
      assert.ok(r.alternatives.every((a) => a.score <= r.score));
    });

    it("changes the recommendation when the weights change", () => {
      const near = recommend(
        request,
        DEMAND_PARTNERS,
        weights({ proximity: 1, categoryFit: 0, capacityFit: 0, freshness: 0 }),
        NOW,
      );
      const roomy = recommend(
        { ...request, quantity: 500 },
        DEMAND_PARTNERS,
        weights({ proximity: 0, categoryFit: 0, capacityFit: 1, freshness: 0 }),
        NOW,
      );
      assert.notEqual(near.partner?.id, roomy.partner?.id);
    });

    it("answers without a partner when nobody takes the category in that unit", () => {
      const r = recommend(
        { ...request, category: "fish", unit: "l" },
        DEMAND_PARTNERS,
        weights(INITIAL_WEIGHTS),
        NOW,
      );
      assert.equal(r.partner, null);
      assert.match(r.reason ?? "", /no demand partner takes fish in l/);
    });
  });

  describe("weights update rule", () => {
    const far = { proximity: 0.1, categoryFit: 1, capacityFit: 1, freshness: 1 };
    const near = { proximity: 1, categoryFit: 0.6, capacityFit: 0.5, freshness: 1 };

    it("moves weight towards features of accepted matches and away from rejected ones, summing to 1", () => {
      const next = updateWeights(
        INITIAL_WEIGHTS,
        [
          { outcome: "accepted", features: near },
          { outcome: "rejected", features: far },
        ],
        1,
      );
      assert.ok(next.proximity > INITIAL_WEIGHTS.proximity, JSON.stringify(next));
      assert.ok(next.capacityFit < INITIAL_WEIGHTS.capacityFit, JSON.stringify(next));
      const total = Object.values(next).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total - 1) < 1e-9);
    });

    it("keeps the weights when there is nothing to learn from", () => {
      assert.deepEqual(updateWeights(INITIAL_WEIGHTS, [], 1), INITIAL_WEIGHTS);
    });
  });

  describe("matcher plumbing", () => {
    it("backs off exponentially with full jitter, capped", () => {
      assert.equal(
        backoffDelayMs(1, 250, 30_000, () => 1),
        250,
      );
      assert.equal(
        backoffDelayMs(4, 250, 30_000, () => 1),
        2000,
      );
      assert.equal(
        backoffDelayMs(20, 250, 30_000, () => 1),
        30_000,
      );
      assert.equal(
        backoffDelayMs(4, 250, 30_000, () => 0),
        0,
      );
    });

    it("only ever moves to a newer weights version, whatever order versions arrive in", () => {
      const current = new CurrentWeights();
      const at = (version: number) => ({
        version,
        weights: INITIAL_WEIGHTS,
        createdAt: "2026-06-15T10:00:00Z",
      });
      assert.equal(current.offer(at(3)), true);
      assert.equal(current.offer(at(2)), false);
      assert.equal(current.offer(at(3)), false);
      assert.equal(current.offer(at(4)), true);
      assert.equal(current.get()?.version, 4);
    });
  });
});
