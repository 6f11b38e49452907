import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { type RunningTodo, startTodo } from "../../apps/todo/src/todo-service";
import type { MariaDb } from "../../local/deps/mariadb";
import { launchChromium } from "../harness/chromium";
import { call, eventually, quiet, startSecureMariaDb, todoConfigFor } from "./todo-fixture";

interface TodoBody {
  id: number;
  title: string;
  done: boolean;
}

describe("todo: the page in headless Chromium", function () {
  this.timeout(180_000);
  let db: MariaDb;
  let todo: RunningTodo;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    const secure = await startSecureMariaDb();
    db = secure.db;
    todo = await startTodo(todoConfigFor(db, secure.password), quiet);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      // HTTP errors the tests provoke are logged as "Failed to load resource"; anything else counts.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
        pageErrors.push(message.text());
    });
  });
  after(async () => {
    await browser?.close();
    await todo?.close();
    await db?.stop();
  });

  const apiTodos = async () => (await call(todo.url, "GET", "/todos")).json as TodoBody[];
  const item = (title: string) => page.locator("#todos li", { hasText: title });

  it("lists the tasks that already exist", async () => {
    await call(todo.url, "POST", "/todos", { title: "existing task" });
    await page.goto(todo.url);
    await item("existing task").waitFor();
    assert.equal(await page.title(), "Tasks");
    assert.equal(await page.locator("#summary").textContent(), "1 of 1 open");
  });

  it("adds a task typed in the form", async () => {
    await page.getByLabel("New task").fill("  water the plants  ");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await item("water the plants").waitFor();
    assert.equal(await page.getByLabel("New task").inputValue(), "", "the input is cleared");
    const stored = (await apiTodos()).find((t) => t.title === "water the plants");
    assert.equal(stored?.done, false);
  });

  it("adds a task on Enter", async () => {
    await page.getByLabel("New task").fill("call the plumber");
    await page.getByLabel("New task").press("Enter");
    await item("call the plumber").waitFor();
    assert.ok((await apiTodos()).some((t) => t.title === "call the plumber"));
  });

  it("completes a task with its checkbox, and the API shows it done", async () => {
    await page.getByRole("checkbox", { name: "water the plants" }).check();
    await eventually("the item is marked done", async () => {
      assert.match((await item("water the plants").getAttribute("class")) ?? "", /\bdone\b/);
    });
    await eventually("the API shows the task done", async () => {
      assert.equal((await apiTodos()).find((t) => t.title === "water the plants")?.done, true);
    });
    assert.equal(await page.locator("#summary").textContent(), "2 of 3 open");
  });

  it("keeps the state after a reload", async () => {
    await page.reload();
    await item("water the plants").waitFor();
    assert.equal(await page.getByRole("checkbox", { name: "water the plants" }).isChecked(), true);
    assert.equal(await page.getByRole("checkbox", { name: "call the plumber" }).isChecked(), false);
  });

  it("deletes a task, and the API no longer has it", async () => {
    await page.getByRole("button", { name: "Delete water the plants" }).click();
    await item("water the plants").waitFor({ state: "detached" });
    await eventually("the API no longer lists the task", async () => {
      assert.ok(!(await apiTodos()).some((t) => t.title === "water the plants"));
    });
    assert.equal(await page.locator("#todos li").count(), 2);
  });

  it("shows the server's reason when a task is refused, and adds nothing", async () => {
    const before = (await apiTodos()).length;
    await page.getByLabel("New task").fill("   ");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await eventually("the error is shown", async () => {
      assert.equal(await page.getByRole("alert").textContent(), "title must not be empty");
    });
    assert.equal((await apiTodos()).length, before);
    assert.equal(await page.locator("#todos li").count(), before);
  });

  for (const entry of ["/todo/", "/todo"]) {
    it(`works under a prefix the load balancer strips (opened at ${entry})`, async () => {
      const proxy = await startPrefixStrippingProxy("/todo", todo.url);
      try {
        await page.goto(new URL(entry, proxy.url).href);
        await item("call the plumber").waitFor();
        const title = entry.endsWith("/") ? "added under the prefix" : "added at the bare prefix";
        await page.getByLabel("New task").fill(title);
        await page.getByRole("button", { name: "Add", exact: true }).click();
        await item(title).waitFor();
        await page.getByRole("checkbox", { name: title }).check();
        await eventually("the API shows the task done", async () => {
          assert.equal((await apiTodos()).find((t) => t.title === title)?.done, true);
        });
        assert.ok(proxy.paths.includes("/todo/todos"), proxy.paths.join(" "));
      } finally {
        await new Promise((resolve) => proxy.server.close(resolve));
      }
    });
  }

  it("ran without script errors or CSP violations", () => {
    assert.deepEqual(pageErrors, []);
  });
});

/** What an ALB listener rule with a URL rewrite does: `/todo/x` → `/x`, `/todo` → `/`; other paths 404. */
async function startPrefixStrippingProxy(
  prefix: string,
  target: string,
): Promise<{ url: string; server: Server; paths: string[] }> {
  const paths: string[] = [];
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const path = incoming.url ?? "/";
    paths.push(path.split("?")[0]!);
    if (path !== prefix && !path.startsWith(`${prefix}/`)) {
      outgoing.writeHead(404).end();
      return;
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: path.slice(prefix.length) || "/",
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, paths };
}
