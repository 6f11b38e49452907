import type { SystemStatus } from "./status";

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/** A small inline SVG line chart of `points` (time, value), scaled to its own maximum. */
export function sparkline(
  points: readonly [number, number][],
  label: string,
  width = 140,
  height = 32,
): string {
  if (points.length < 2)
    return `<span class="nodata" aria-label="${escapeHtml(label)}: no data yet">no data yet</span>`;
  const t0 = points[0]![0];
  const span = points[points.length - 1]![0] - t0 || 1;
  const max = Math.max(...points.map(([, v]) => v), 1e-9);
  const coords = points
    .map(
      ([t, v]) =>
        `${(((t - t0) / span) * (width - 2) + 1).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`,
    )
    .join(" ");
  return `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${coords}"/></svg>`;
}

const health = (up: number | undefined) =>
  up === undefined
    ? '<span class="state unknown">unknown</span>'
    : up >= 1
      ? '<span class="state ok">up</span>'
      : '<span class="state down">down</span>';
const fixed = (value: number | undefined, digits: number, suffix = "") =>
  value === undefined ? "—" : `${value.toFixed(digits)}${suffix}`;
const ms = (seconds: number | undefined) =>
  seconds === undefined ? "—" : `${(seconds * 1000).toFixed(seconds < 0.01 ? 1 : 0)} ms`;

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d2430;background:#f6f7f9}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002;min-width:60%}
th,td{padding:.35rem .7rem;text-align:left;border-bottom:1px solid #e4e7eb;vertical-align:middle}
th{font-weight:600;background:#eef1f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.state{font-weight:600;padding:.1rem .45rem;border-radius:.6rem;font-size:.85em}
.ok{background:#d8f3dc;color:#1b5e20}.down{background:#fde2e1;color:#9b1c1c}.unknown{background:#e5e7eb;color:#4b5563}
.chart{color:#2563eb;vertical-align:middle}.nodata{color:#6b7280;font-size:.85em}
.error{background:#fde2e1;padding:.6rem;border-radius:.3rem}.muted{color:#6b7280;font-size:.85em}
.critical{color:#9b1c1c;font-weight:600}.warning{color:#92400e;font-weight:600}`;

/** The status page: services, queues, stores and firing alerts. Refreshes itself every 15 s. */
export function renderStatusPage(status: SystemStatus): string {
  const window = `${Math.round(status.windowSeconds / 60)} min`;
  const services = status.services
    .map(
      (
        s,
      ) => `<tr data-service="${escapeHtml(s.name)}"><td>${escapeHtml(s.name)}<div class="muted">${escapeHtml(s.system)}</div></td>
<td>${health(s.up)}</td><td class="num">${fixed(s.requestsPerSecond, 2, "/s")}</td>
<td>${sparkline(s.rateHistory, `${s.name} requests per second, last ${window}`)}</td>
<td class="num">${s.errorRatio === undefined ? "—" : `${(s.errorRatio * 100).toFixed(2)}%`}</td>
<td class="num">${ms(s.p95Seconds)}</td><td>${sparkline(s.p95History, `${s.name} p95 latency, last ${window}`)}</td></tr>`,
    )
    .join("\n");
  const queues = status.queues.length
    ? status.queues
        .map(
          (
            q,
          ) => `<tr data-queue="${escapeHtml(q.queue)}"><td>${escapeHtml(q.queue)}</td><td class="num">${fixed(q.depth, 0)}</td>
<td>${sparkline(q.depthHistory, `${q.queue} depth, last ${window}`)}</td><td class="num">${fixed(q.consumers, 0)}</td><td class="num">${fixed(q.deadLetters, 0)}</td></tr>`,
        )
        .join("\n")
    : '<tr><td colspan="5" class="muted">no queue metrics yet</td></tr>';
  const stores = status.stores
    .map(
      (s) =>
        `<tr><td>${escapeHtml(s.name)}</td><td>${health(s.up)}</td><td>${s.details.map(escapeHtml).join(" · ")}</td></tr>`,
    )
    .join("\n");
  const alerts = status.alerts.length
    ? `<ul>${status.alerts.map((a) => `<li><span class="${escapeHtml(a.severity)}">${escapeHtml(a.name)}</span> (${escapeHtml(a.state)}): ${escapeHtml(a.summary)}</li>`).join("")}</ul>`
    : "<p>None firing.</p>";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="15"><title>battle-ready status</title><style>${STYLE}</style></head>
<body><main>
<h1>battle-ready: local status</h1>
<p class="muted">From Prometheus at ${escapeHtml(status.prometheusUrl)}, ${escapeHtml(status.generatedAt.toISOString())}. Rates over 1 minute, error ratio and p95 over 5 minutes; charts show the last ${window}.</p>
${status.error ? `<p class="error" role="alert">${escapeHtml(status.error)}</p>` : ""}
<h2>Alerts</h2>${alerts}
<h2>Services</h2>
<table aria-label="services"><thead><tr><th>service</th><th>health</th><th>requests</th><th>rate, ${window}</th><th>errors (5xx)</th><th>p95</th><th>p95, ${window}</th></tr></thead>
<tbody>${services}</tbody></table>
<h2>Queues</h2>
<table aria-label="queues"><thead><tr><th>queue</th><th>depth</th><th>depth, ${window}</th><th>consumers</th><th>dead letters</th></tr></thead>
<tbody>${queues}</tbody></table>
<h2>Databases and broker</h2>
<table aria-label="stores"><thead><tr><th>store</th><th>state</th><th>details</th></tr></thead><tbody>${stores}</tbody></table>
</main></body></html>`;
}
