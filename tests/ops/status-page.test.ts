import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import type { ManagedProcess } from "../../local/deps";
import { prometheusConfigYaml } from "../../ops/monitoring/prometheus-config";
import { startStatusPage } from "../../ops/status-page/main";
import { launchChromium } from "../harness/chromium";
import { eventually, freePort, prometheusQuery, startServer } from "./helpers";

/** A tiny scrape target: two services' RED metrics (growing on every scrape) and the dependency exporters' gauges. */
function startScrapeTarget(port: number): Promise<Server> {
  let scrapes = 0;
  const service = (name: string, okPerScrape: number, failedPerScrape: number) => {
    const ok = scrapes * okPerScrape;
    const failed = scrapes * failedPerScrape;
    const total = ok + failed;
    return [
      `http_requests_total{service="${name}",method="GET",route="/things",status_code="200"} ${ok}`,
      `http_requests_total{service="${name}",method="GET",route="/things",status_code="503"} ${failed}`,
      `http_request_duration_seconds_bucket{service="${name}",method="GET",route="/things",status_code="200",le="0.01"} ${Math.floor(total * 0.5)}`,
      `http_request_duration_seconds_bucket{service="${name}",method="GET",route="/things",status_code="200",le="0.1"} ${total}`,
      `http_request_duration_seconds_bucket{service="${name}",method="GET",route="/things",status_code="200",le="+Inf"} ${total}`,
      "",
    ].join("\n");
  };
  const server = createServer((request, response) => {
    if (request.url === "/metrics/todo") {
      scrapes++;
      return response.end(service("todo", 20, 1));
    }
    if (request.url === "/metrics/order-api") return response.end(service("order-api", 5, 0));
    response.end(
      [
        "activemq_up 1",
        `activemq_queue_size{queue="buffs"} ${7 + (scrapes % 5)}`,
        'activemq_queue_consumer_count{queue="buffs"} 2',
        'activemq_dlq_size{queue="buffs"} 0',
        "mysql_up 1",
        "mysql_global_status_threads_connected 12",
        "mysql_global_variables_max_connections 151",
        "redis_up 1",
        "redis_memory_used_bytes 1048576",
        "battle_ready_dynamodb_up 1",
        // MySQL backed up two hours ago; DynamoDB never (the ops exporter's 0).
        `battle_ready_backup_last_success_timestamp_seconds{store="mysql"} ${Math.floor(Date.now() / 1000) - 7200}`,
        'battle_ready_backup_last_success_timestamp_seconds{store="dynamodb"} 0',
        "",
      ].join("\n"),
    );
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

describe("status page", function () {
  this.timeout(120_000);
  let target: Server;
  let page: Server;
  let prometheus: ManagedProcess;
  let browser: Browser | undefined;
  let pageUrl: string;

  before(async () => {
    const [targetPort, promPort, pagePort] = [await freePort(), await freePort(), await freePort()];
    target = await startScrapeTarget(targetPort);
    const dir = mkdtempSync(join(tmpdir(), "ops-status-"));
    const config = join(dir, "prometheus.yml");
    writeFileSync(
      config,
      prometheusConfigYaml({
        services: [
          { name: "todo", system: "todo", address: `127.0.0.1:${targetPort}`, metricsPath: "/metrics/todo" },
          {
            name: "order-api",
            system: "orders",
            address: `127.0.0.1:${targetPort}`,
            metricsPath: "/metrics/order-api",
          },
        ],
        exporters: { deps: `127.0.0.1:${targetPort}` },
        ruleFiles: [],
        scrapeInterval: "1s",
      }),
    );
    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    prometheus = await startServer(
      "prometheus",
      "prometheus",
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      `${prometheusUrl}/-/ready`,
    );
    await eventually("request rates in Prometheus", async () => {
      const rates = await prometheusQuery(
        prometheusUrl,
        "sum by (service) (rate(http_requests_total[1m])) > 0",
      );
      return rates.length === 2;
    });
    page = await startStatusPage({
      port: pagePort,
      prometheusUrl,
      services: [
        { name: "todo", system: "todo" },
        { name: "order-api", system: "orders" },
        { name: "never-scraped", system: "x" },
      ],
      windowSeconds: 120, // 5 s steps: charts have points within seconds
    });
    pageUrl = `http://127.0.0.1:${pagePort}`;
  });
  after(async () => {
    await browser?.close();
    page?.close();
    target?.close();
    await prometheus?.stop(5000);
  });

  it("renders health, rate, error ratio, p95, charts, queues and stores in headless Chromium", async () => {
    // charts need at least two points in the range query
    await eventually(
      "charts with data in the todo row",
      async () =>
        /data-service="todo">(?:(?!<\/tr>).)*<polyline(?:(?!<\/tr>).)*<polyline/s.test(
          await (await fetch(pageUrl)).text(),
        ),
      60_000,
    );
    browser = await launchChromium();
    const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const cspViolations: string[] = [];
    tab.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    const response = await tab.goto(pageUrl);
    assert.equal(response?.status(), 200);
    const todo = tab.locator('tr[data-service="todo"]');
    assert.equal(await todo.locator(".state").textContent(), "up");
    const cells = await todo.locator("td").allTextContents();
    assert.match(cells[2] ?? "", /^\d+\.\d\d\/s$/, `request rate: ${cells[2]}`);
    assert.match(cells[4] ?? "", /^[1-9]\.\d\d%$/, `error ratio: ${cells[4]}`); // 1 in 21 requests fails
    assert.match(cells[5] ?? "", /^\d+ ms$/, `p95: ${cells[5]}`);
    assert.ok((await todo.locator("svg.chart polyline").count()) >= 1, "no chart in the todo row");
    assert.equal(await tab.locator('tr[data-service="order-api"] td').nth(4).textContent(), "0.00%");
    assert.equal(await tab.locator('tr[data-service="never-scraped"] .state').textContent(), "unknown");
    const queue = await tab.locator('tr[data-queue="buffs"] td').allTextContents();
    assert.match(queue[1] ?? "", /^(7|8|9|10|11)$/);
    assert.equal(queue[3], "2");
    const stores = await tab.locator('table[aria-label="stores"] tbody tr').allTextContents();
    assert.ok(
      stores.some((s) => /MySQL.*up.*12 \/ 151 connections/.test(s)),
      stores.join(" | "),
    );
    assert.ok(
      stores.some((s) => /Redis.*up.*1\.0 MiB used/.test(s)),
      stores.join(" | "),
    );
    assert.ok(
      stores.some((s) => /MySQL.*last backup 2\.\d h ago/.test(s)),
      stores.join(" | "),
    );
    assert.ok(
      stores.some((s) => /DynamoDB.*no backup yet/.test(s)),
      stores.join(" | "),
    );
    const screenshot = await tab.screenshot({
      path: join(tmpdir(), "battle-ready-status-page.png"),
      fullPage: true,
    });
    assert.ok(screenshot.length > 10_000, "the screenshot is nearly empty");
    assert.deepEqual(cspViolations, []);
  });

  it("says so when Prometheus does not answer, instead of showing stale figures", async () => {
    const port = await freePort();
    const dead = await startStatusPage({
      port,
      prometheusUrl: `http://127.0.0.1:${await freePort()}`,
      services: [{ name: "todo", system: "todo" }],
    });
    try {
      const html = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      assert.match(html, /role="alert">Prometheus at http:\/\/127\.0\.0\.1:\d+ did not answer/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/`, { method: "POST" })).status, 405);
      assert.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);
    } finally {
      dead.close();
    }
  });
});
