/** A dependency-free SVG line chart of the 30-minute count over the load test. */

export interface ChartPoint {
  /** Minutes since the load started. */
  minute: number;
  count: number;
}

export interface ChartOptions {
  title: string;
  /** The count the window holds at a steady rate: rate × 1800 s, drawn as a dashed line. */
  plateau?: number;
  width?: number;
  height?: number;
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * 0.99);
  return step ?? 10 * magnitude;
}

const formatCount = (n: number) =>
  n >= 1_000_000
    ? `${(n / 1_000_000).toFixed(n % 1_000_000 === 0 ? 0 : 1)}M`
    : n >= 1000
      ? `${Math.round(n / 1000)}k`
      : String(n);

export function renderChart(points: readonly ChartPoint[], options: ChartOptions): string {
  const width = options.width ?? 800;
  const height = options.height ?? 420;
  const margin = { top: 48, right: 24, bottom: 56, left: 72 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const maxMinute = Math.max(1, ...points.map((p) => p.minute));
  const maxCount = Math.max(1, options.plateau ?? 0, ...points.map((p) => p.count)) * 1.08;
  const yStep = niceStep(maxCount, 6);
  const yMax = Math.ceil(maxCount / yStep) * yStep;
  const xStep = niceStep(maxMinute, 8);
  // A last sample a few seconds past a round minute does not add a whole tick.
  const xMax = Math.ceil(maxMinute / xStep - 0.01) * xStep;
  const x = (minute: number) => margin.left + (minute / xMax) * plotW;
  const y = (count: number) => margin.top + plotH - (count / yMax) * plotH;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(options.title)}</text>`,
  );
  for (let i = 0; i * yStep <= yMax + 1e-9; i++) {
    const v = i * yStep;
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${margin.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#374151">${formatCount(v)}</text>`,
    );
  }
  for (let i = 0; i * xStep <= xMax + 1e-9; i++) {
    const m = Number((i * xStep).toPrecision(6));
    parts.push(
      `<line x1="${x(m).toFixed(1)}" x2="${x(m).toFixed(1)}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 5}" stroke="#374151"/>`,
      `<text x="${x(m).toFixed(1)}" y="${margin.top + plotH + 20}" text-anchor="middle" fill="#374151">${m}</text>`,
    );
  }
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#374151"/>`,
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#374151"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 14}" text-anchor="middle" fill="#111827">minutes since the load started</text>`,
    `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#111827">events received in the last 30 minutes</text>`,
  );
  if (options.plateau !== undefined) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(options.plateau).toFixed(1)}" y2="${y(options.plateau).toFixed(1)}" stroke="#9ca3af" stroke-dasharray="6 4"/>`,
      `<text x="${margin.left + 6}" y="${(y(options.plateau) - 6).toFixed(1)}" fill="#6b7280">steady-state plateau: rate × 30 min = ${options.plateau.toLocaleString("en-US")}</text>`,
    );
  }
  const path = points.map((p) => `${x(p.minute).toFixed(1)},${y(p.count).toFixed(1)}`).join(" ");
  parts.push(`<polyline points="${path}" fill="none" stroke="#2563eb" stroke-width="2.5"/>`);
  for (const p of points) {
    parts.push(
      `<circle cx="${x(p.minute).toFixed(1)}" cy="${y(p.count).toFixed(1)}" r="3" fill="#2563eb"><title>${p.minute.toFixed(1)} min: ${p.count.toLocaleString("en-US")}</title></circle>`,
    );
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
