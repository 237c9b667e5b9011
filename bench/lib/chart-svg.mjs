// A hand-written SVG chart: delivered messages/s and p99 latency against the offered rate, one
// line per system (median of runs) with min–max whiskers.

const COLORS = { raw: '#6b7280', 'ours (memory)': '#2563eb', 'ours (sqlite)': '#16a34a', 'ours (redis)': '#dc2626' };
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
const fmtK = (v) => (v >= 1000 ? `${+(v / 1000).toFixed(1)}k` : `${+v.toFixed(1)}`);

/**
 * @param {object} o
 * @param {{ name: string, points: { x: number, y: {median,min,max}, p99: {median,min,max} }[] }[]} o.series
 * @param {string} o.title
 * @param {string} o.subtitle
 * @param {number} [o.p99Limit]
 */
export function throughputChart({ series, title, subtitle, p99Limit = 50, fanout = null }) {
  const W = 980;
  const H = 470;
  const panelW = 400;
  const panelH = 300;
  const top = 90;
  const lefts = [80, 560];
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const xMax = niceMax(Math.max(1, ...xs));
  const xStep = [1, 2, 2.5, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(xMax / 5))).find((st) => xMax / st <= 6) || xMax / 4;
  const yMax = niceMax(Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.y.max ?? 0))));
  const lat = series.flatMap((s) => s.points.flatMap((p) => [p.p99.min, p.p99.max])).filter((v) => v > 0);
  const lMin = 10 ** Math.floor(Math.log10(Math.max(0.01, Math.min(1, ...lat))));
  const lMax = 10 ** Math.ceil(Math.log10(Math.max(p99Limit * 2, ...lat)));
  const X = (i, v) => lefts[i] + (v / xMax) * panelW;
  const Y0 = (v) => top + panelH - (v / yMax) * panelH;
  const Y1 = (v) => top + panelH - ((Math.log10(Math.max(v, lMin)) - Math.log10(lMin)) / (Math.log10(lMax) - Math.log10(lMin))) * panelH;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="26" text-anchor="middle" font-size="16" font-weight="600">${esc(title)}</text>`);
  out.push(`<text x="${W / 2}" y="46" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`);
  const panels = [
    { i: 0, label: 'delivered messages/s (median, min–max)', Y: Y0, ticks: [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax), fmt: fmtK, get: (p) => p.y },
    {
      i: 1,
      label: 'p99 end-to-end latency, ms (log scale)',
      Y: Y1,
      ticks: Array.from({ length: Math.round(Math.log10(lMax / lMin)) + 1 }, (_, k) => lMin * 10 ** k),
      fmt: (v) => `${v}`,
      get: (p) => p.p99,
    },
  ];
  for (const P of panels) {
    const L = lefts[P.i];
    out.push(`<text x="${L + panelW / 2}" y="${top - 12}" text-anchor="middle" font-weight="600">${esc(P.label)}</text>`);
    out.push(`<rect x="${L}" y="${top}" width="${panelW}" height="${panelH}" fill="none" stroke="#999"/>`);
    for (const t of P.ticks) {
      const y = P.Y(t);
      out.push(`<line x1="${L}" x2="${L + panelW}" y1="${y}" y2="${y}" stroke="#eee"/>`);
      out.push(`<text x="${L - 6}" y="${y + 4}" text-anchor="end" fill="#555">${esc(P.fmt(t))}</text>`);
    }
    for (let v = 0; v <= xMax + 1e-9; v += xStep) {
      out.push(`<text x="${X(P.i, v)}" y="${top + panelH + 18}" text-anchor="middle" fill="#555">${fmtK(v)}</text>`);
    }
    out.push(`<text x="${L + panelW / 2}" y="${top + panelH + 38}" text-anchor="middle">offered rate, messages sent/s</text>`);
    if (P.i === 0 && fanout) {
      // Every delivery of every offered message: where a system that keeps up lies.
      const x1 = Math.min(xMax, yMax / fanout);
      out.push(`<line x1="${X(0, 0)}" y1="${Y0(0)}" x2="${X(0, x1)}" y2="${Y0(x1 * fanout)}" stroke="#bbb" stroke-dasharray="4,4"/>`);
      out.push(`<text x="${X(0, x1) - 4}" y="${Y0(x1 * fanout) + 14}" text-anchor="end" fill="#888">offered × ${fanout} members</text>`);
    }
    if (P.i === 1) {
      const y = Y1(p99Limit);
      out.push(`<line x1="${L}" x2="${L + panelW}" y1="${y}" y2="${y}" stroke="#f59e0b" stroke-dasharray="5,4"/>`);
      out.push(`<text x="${L + panelW - 4}" y="${y - 4}" text-anchor="end" fill="#b45309">${p99Limit} ms</text>`);
    }
    for (const s of series) {
      const c = COLORS[s.name] || '#7c3aed';
      const pts = s.points.filter((p) => P.get(p).median != null).sort((a, b) => a.x - b.x);
      if (pts.length > 1)
        out.push(
          `<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map((p) => `${X(P.i, p.x).toFixed(1)},${P.Y(P.get(p).median).toFixed(1)}`).join(' ')}"/>`,
        );
      for (const p of pts) {
        const v = P.get(p);
        const x = X(P.i, p.x).toFixed(1);
        out.push(`<line x1="${x}" x2="${x}" y1="${P.Y(v.min).toFixed(1)}" y2="${P.Y(v.max).toFixed(1)}" stroke="${c}"/>`);
        out.push(`<circle cx="${x}" cy="${P.Y(v.median).toFixed(1)}" r="3.5" fill="${c}"/>`);
      }
    }
  }
  series.forEach((s, k) => {
    const x = 80 + k * 200;
    const y = H - 22;
    out.push(`<rect x="${x}" y="${y - 10}" width="14" height="14" fill="${COLORS[s.name] || '#7c3aed'}"/>`);
    out.push(`<text x="${x + 20}" y="${y + 2}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
