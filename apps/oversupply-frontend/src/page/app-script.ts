/**
 * The page's script (plain browser JavaScript, no build step). It registers oversupply through
 * the frontend's /api proxy, remembers the ids in localStorage and polls each pending registration
 * until its recommendation arrives, with a growing interval (1 s up to 5 s).
 */
export const APP_JS = `"use strict";
(function () {
  var STORAGE_KEY = "oversupply.registrations";
  var form = document.getElementById("register");
  var formError = document.getElementById("form-error");
  var list = document.getElementById("registrations");
  var empty = document.getElementById("empty");
  var submit = document.getElementById("submit");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function saved() {
    try { return JSON.parse(localStorage.getItem(STORAGE_KEY) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(STORAGE_KEY, JSON.stringify(items.slice(0, 50))); }
  function api(path, options) {
    return fetch("api/" + path, options).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        if (!response.ok) {
          var message = body && body.error ? body.error : "request failed (" + response.status + ")";
          var error = new Error(message); error.status = response.status; throw error;
        }
        return body;
      });
    });
  }
  // One key per submission: a retry after a lost answer returns the same registration.
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  var submissionKey = newKey();
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
  function fillSelect(select, values) {
    values.forEach(function (v) { select.appendChild(el("option", { value: v }, v)); });
  }

  function render(entry) {
    var item = document.getElementById("reg-" + entry.id);
    if (!item) {
      item = el("li", { id: "reg-" + entry.id, "data-id": entry.id });
      list.insertBefore(item, list.firstChild);
    }
    item.replaceChildren();
    item.appendChild(el("strong", {}, entry.summary));
    item.appendChild(document.createTextNode(" "));
    var status = entry.view ? entry.view.status : "pending";
    item.appendChild(el("span", { class: "status " + status, "data-status": status }, status));
    var rec = entry.view && entry.view.recommendation;
    if (status === "matched" && rec) {
      var p = el("p", { class: "recommendation" });
      p.appendChild(document.createTextNode("Recommended partner: "));
      p.appendChild(el("strong", { class: "partner-name" }, rec.partner.name));
      p.appendChild(document.createTextNode(" — " + rec.distanceKm + " km away"));
      item.appendChild(p);
      item.appendChild(el("p", { class: "muted" }, "score " + rec.score + " · model weights v" + rec.weightsVersion));
      var outcome = entry.view.outcome;
      if (outcome) {
        item.appendChild(el("p", { class: "outcome" }, "You " + outcome + " this match."));
      } else {
        var accept = el("button", { type: "button", class: "accept" }, "Accept match");
        var reject = el("button", { type: "button", class: "secondary reject" }, "Decline");
        accept.addEventListener("click", function () { report(entry, "accepted"); });
        reject.addEventListener("click", function () { report(entry, "rejected"); });
        item.appendChild(accept); item.appendChild(document.createTextNode(" ")); item.appendChild(reject);
      }
    } else if (status === "unmatched" && rec) {
      item.appendChild(el("p", { class: "muted" }, "No partner found: " + rec.reason));
    } else {
      item.appendChild(el("p", { class: "muted" }, "Looking for a partner…"));
    }
    if (entry.error) item.appendChild(el("p", { class: "error", role: "alert" }, entry.error));
    empty.hidden = list.children.length > 0;
  }

  function report(entry, outcome) {
    api("oversupply/" + entry.id + "/outcome", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome: outcome })
    }).then(function () { return refresh(entry); }, function (error) { entry.error = error.message; render(entry); });
  }

  function refresh(entry) {
    return api("oversupply/" + entry.id).then(function (view) {
      entry.view = view; entry.error = null; render(entry); return view;
    });
  }

  function follow(entry) {
    var delay = 1000;
    function poll() {
      refresh(entry).then(function (view) {
        if (view.status === "pending") { delay = Math.min(5000, delay * 1.3); setTimeout(poll, delay); }
      }, function (error) {
        if (error.status === 404) { entry.error = "This registration no longer exists."; render(entry); return; }
        setTimeout(poll, 5000);
      });
    }
    poll();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    formError.textContent = "";
    var data = new FormData(form);
    var body = {
      partner: String(data.get("partner") || ""),
      category: String(data.get("category") || ""),
      item: String(data.get("item") || ""),
      quantity: Number(data.get("quantity")),
      unit: String(data.get("unit") || ""),
      location: { lat: Number(data.get("lat")), lon: Number(data.get("lon")) },
      bestBefore: String(data.get("bestBefore") || "")
    };
    if (data.get("quantity") === "" || data.get("lat") === "" || data.get("lon") === "") {
      formError.textContent = "Please fill in quantity and the pickup location."; return;
    }
    submit.disabled = true;
    api("oversupply", {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": submissionKey },
      body: JSON.stringify(body)
    })
      .then(function (created) {
        submissionKey = newKey();
        var entry = { id: created.id, summary: body.quantity + " " + body.unit + " " + body.item + " (" + body.category + ")", view: null };
        save([{ id: entry.id, summary: entry.summary }].concat(saved()));
        render(entry); follow(entry);
        form.reset(); document.getElementById("partner").value = body.partner;
      }, function (error) { formError.textContent = error.message; })
      .finally(function () { submit.disabled = false; });
  });

  document.getElementById("bestBefore").min = today();
  api("oversupply/options").then(function (options) {
    fillSelect(document.getElementById("category"), options.categories);
    fillSelect(document.getElementById("unit"), options.units);
  }, function (error) { formError.textContent = "Could not load the form options: " + error.message; });
  saved().reverse().forEach(function (s) { var entry = { id: s.id, summary: s.summary, view: null }; render(entry); follow(entry); });
  empty.hidden = list.children.length > 0;
})();
`;
