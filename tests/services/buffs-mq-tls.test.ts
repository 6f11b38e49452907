import assert from "node:assert/strict";
import { join } from "node:path";
import { readBrokerConfig, stompTlsOption } from "../../apps/buffs-dashboard/src/broker-config";
import { readEnv } from "../../lib/service-kit";
import { type ActiveMq, type SharedDependencies, sharedDependencies, startActiveMq } from "../../local/deps";
import { type BuffsSystem, eventually, getBuffs, postBuff, startBuffsSystem } from "./buffs-fixtures";

describe("buffs: MQTLSENABLE=true, over ActiveMQ's stomp+ssl connector", function () {
  this.timeout(180_000);
  let deps: SharedDependencies;
  let broker: ActiveMq;
  let system: BuffsSystem;

  /** The variables a deployment gives both services, pointed at the broker's TLS port. */
  const tlsEnv = (): NodeJS.ProcessEnv => ({
    MQHOST: broker.host,
    MQPORT: String(broker.stompTlsPort),
    MQUSERNAME: broker.user,
    MQPASSWORD: broker.password,
    MQTLSENABLE: "true",
    MQTLSCA: broker.tls?.caFile,
  });

  before(async () => {
    [deps, broker] = await Promise.all([sharedDependencies(), startActiveMq({ tls: true })]);
    system = await startBuffsSystem(
      { ...deps, activemq: broker },
      { mq: readBrokerConfig(readEnv(tlsEnv())) },
    );
  });
  after(async () => {
    await system?.close();
    await broker?.stop();
  });

  it("both services connect over TLS, verifying the CA named by MQTLSCA", async () => {
    assert.equal(system.dashboard.bus.connected, true);
    assert.equal(system.server.bus.connected, true);
    for (const url of [system.dashboard.url, system.server.url])
      assert.equal((await fetch(`${url}/readyz`)).status, 200, `${url}/readyz`);
  });

  it("a Buff posted to the dashboard travels over TLS and is served by GET /buffs", async () => {
    const response = await postBuff(system.dashboard.url, { question: "encrypted?", answers: ["yes", "no"] });
    assert.equal(response.status, 200);
    const { id } = (await response.json()) as { id: string };
    const served = await eventually("the Buff sent over TLS to be served", async () =>
      (await getBuffs(system.server.url)).find((buff) => buff.buffId === id),
    );
    assert.equal(served.question, "encrypted?");
    assert.deepEqual(served.answers, ["yes", "no"]);
  });

  it("MQTLSCA is read as PEM, and a bad value is refused at start naming the variable", () => {
    const option = stompTlsOption(readBrokerConfig(readEnv(tlsEnv())));
    assert.ok(typeof option === "object" && option.ca.startsWith("-----BEGIN CERTIFICATE-----"));
    assert.equal(stompTlsOption(readBrokerConfig(readEnv({ ...tlsEnv(), MQTLSCA: undefined }))), true);
    const missing = readBrokerConfig(
      readEnv({ ...tlsEnv(), MQTLSCA: join(broker.dataDir, "no-such-ca.pem") }),
    );
    assert.throws(() => stompTlsOption(missing), /MQTLSCA: cannot read .*no-such-ca\.pem/);
    assert.throws(
      () => readBrokerConfig(readEnv({ ...tlsEnv(), MQTLSENABLE: "false" })),
      /MQTLSCA is set but MQTLSENABLE is not true/,
    );
  });
});
