import { createHash } from "node:crypto";

/**
 * The web page at `GET /`: one self-contained document (inline CSS and script, no external
 * assets), kept in a TS module so it ships inside the bundle. It calls the API with URLs relative
 * to itself, so it also works when the load balancer serves it under a prefix it strips.
 */

const style = `
:root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; --danger: #b91c1c; --line: #d1d5db; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; padding: 2rem 1rem; }
main { max-width: 36rem; margin: 0 auto; }
h1 { font-size: 1.75rem; margin: 0 0 1rem; }
form { display: flex; gap: .5rem; margin-bottom: 1rem; }
input[type=text] { flex: 1; padding: .5rem .75rem; font: inherit; border: 1px solid var(--line); border-radius: .375rem; }
button { font: inherit; padding: .5rem .9rem; border-radius: .375rem; border: 1px solid transparent; cursor: pointer; }
button.add { background: var(--accent); color: #fff; }
button.delete { background: none; color: var(--danger); border-color: var(--line); padding: .25rem .6rem; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
ul { list-style: none; padding: 0; margin: 0; }
li { display: flex; align-items: center; gap: .75rem; padding: .5rem 0; border-bottom: 1px solid var(--line); }
li label { flex: 1; display: flex; align-items: center; gap: .6rem; cursor: pointer; overflow-wrap: anywhere; }
li input[type=checkbox] { width: 1.15rem; height: 1.15rem; }
li.done .title { text-decoration: line-through; color: var(--muted); }
#error { color: var(--danger); min-height: 1.5rem; margin: 0 0 .5rem; }
#summary, #empty { color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

const script = `
"use strict";
const list = document.getElementById("todos");
const form = document.getElementById("new-todo");
const input = document.getElementById("title");
const errorBox = document.getElementById("error");
const summary = document.getElementById("summary");
const empty = document.getElementById("empty");
// API paths are relative to the page, so it also works under a prefix such as /todo/; served at
// /todo (no slash), the last segment is the prefix.
const last = location.pathname.split("/").pop();
const api = last ? last + "/todos" : "todos";

function showError(message) { errorBox.textContent = message; }

async function call(method, path, body) {
  const options = { method, headers: { accept: "application/json" } };
  if (body !== undefined) {
    options.headers["content-type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch {
    throw new Error("Cannot reach the server. Check your connection and try again.");
  }
  if (response.status === 204) return undefined;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || "The server answered " + response.status + ".");
  return data;
}

function updateSummary() {
  const items = list.querySelectorAll("li");
  const open = list.querySelectorAll("li:not(.done)").length;
  empty.hidden = items.length > 0;
  summary.textContent = items.length === 0 ? "" : open + " of " + items.length + " open";
}

function render(todo) {
  const item = document.createElement("li");
  item.dataset.id = String(todo.id);
  item.classList.toggle("done", todo.done);
  const label = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.checked = todo.done;
  const title = document.createElement("span");
  title.className = "title";
  title.textContent = todo.title;
  label.append(box, title);
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "delete";
  remove.textContent = "Delete";
  remove.setAttribute("aria-label", "Delete " + todo.title);

  box.addEventListener("change", async () => {
    box.disabled = true;
    try {
      const updated = await call("PATCH", api + "/" + todo.id, { done: box.checked });
      item.classList.toggle("done", updated.done);
      box.checked = updated.done;
      showError("");
    } catch (error) {
      box.checked = !box.checked;
      showError(error.message);
    } finally {
      box.disabled = false;
      updateSummary();
    }
  });
  remove.addEventListener("click", async () => {
    remove.disabled = true;
    try {
      await call("DELETE", api + "/" + todo.id);
      item.remove();
      showError("");
      input.focus();
    } catch (error) {
      remove.disabled = false;
      showError(error.message);
    }
    updateSummary();
  });
  item.append(label, remove);
  return item;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const created = await call("POST", api, { title: input.value });
    list.append(render(created));
    input.value = "";
    showError("");
  } catch (error) {
    showError(error.message);
  } finally {
    button.disabled = false;
    input.focus();
    updateSummary();
  }
});

async function load() {
  try {
    const todos = await call("GET", api);
    list.replaceChildren(...todos.map(render));
    showError("");
  } catch (error) {
    showError(error.message);
  }
  list.setAttribute("aria-busy", "false");
  updateSummary();
}
load();
`;

export const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tasks</title>
<style>${style}</style>
</head>
<body>
<main>
  <h1>Tasks</h1>
  <form id="new-todo">
    <label for="title" class="visually-hidden">New task</label>
    <input id="title" name="title" type="text" placeholder="What needs doing?" maxlength="200" required autocomplete="off">
    <button type="submit" class="add">Add</button>
  </form>
  <p id="error" role="alert" aria-live="assertive"></p>
  <ul id="todos" aria-label="Tasks" aria-busy="true"></ul>
  <p id="empty" hidden>Nothing to do yet.</p>
  <p id="summary" aria-live="polite"></p>
</main>
<script>${script}</script>
</body>
</html>
`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** The page may run only its own inline script and style, and talk only to its own origin. */
export const pageHeaders: Record<string, string> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "connect-src 'self'",
    "img-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; "),
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};
