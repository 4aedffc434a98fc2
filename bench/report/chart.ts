// ledger-scale.svg: p50 latency of each step against the number of grants in the ledger
// (log scale), hand-written SVG so the repository needs no charting dependency.
import type { ScalePoint } from '../suites/ledger-scale.js';

const W = 640;
const H = 360;
const PAD = { left: 64, right: 180, top: 40, bottom: 56 };
const SERIES = [
  { key: 'create', color: '#1f77b4' },
  { key: 'approve', color: '#ff7f0e' },
  { key: 'run', color: '#2ca02c' },
  { key: 'total', color: '#444444' },
] as const;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const TICKS = 4;

/** The smallest 1, 2 or 5 × 10^k step that fits `max` in TICKS steps, for round axis labels. */
function niceStep(max: number): number {
  const raw = max / TICKS;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((step) => step >= raw)!;
}

export function ledgerChart(points: ScalePoint[]): string {
  const xs = points.map((p) => Math.log10(p.grants));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const step = niceStep(Math.max(...points.map((p) => p.latency.total.p50)) * 1.05 || 1);
  const yMax = step * TICKS;
  const px = (g: number) => PAD.left + ((Math.log10(g) - x0) / (x1 - x0 || 1)) * (W - PAD.left - PAD.right);
  const py = (v: number) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${PAD.left}" y="22" font-size="14" font-weight="bold">p50 latency vs ledger size (audit log: 10 lines per grant)</text>`,
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#000"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#000"/>`,
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 14}" text-anchor="middle">grants in the ledger (log scale)</text>`,
    `<text transform="translate(16 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">ms (p50)</text>`,
  ];
  for (let i = 0; i <= TICKS; i++) {
    const v = step * i;
    out.push(`<line x1="${PAD.left - 4}" y1="${py(v)}" x2="${W - PAD.right}" y2="${py(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${PAD.left - 8}" y="${py(v) + 4}" text-anchor="end">${Number(v.toPrecision(3))}</text>`);
  }
  for (const p of points) {
    out.push(`<text x="${px(p.grants)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${p.grants.toLocaleString('en-US')}</text>`);
  }
  SERIES.forEach(({ key, color }, i) => {
    const coords = points.map((p) => `${px(p.grants).toFixed(1)},${py(p.latency[key].p50).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${coords.join(' ')}"/>`);
    for (const c of coords) out.push(`<circle cx="${c.split(',')[0]}" cy="${c.split(',')[1]}" r="3" fill="${color}"/>`);
    const ly = PAD.top + 10 + i * 20;
    out.push(`<line x1="${W - PAD.right + 16}" y1="${ly}" x2="${W - PAD.right + 36}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${W - PAD.right + 42}" y="${ly + 4}">${esc(key === 'total' ? 'create+approve+run' : key)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
