/**
 * The accuracy-vs-tokens plot of `reasoner compare`: a static SVG (log2 token axis, one line per
 * method) and an HTML page holding it and the table. Hand-written: a plotting library would be
 * a browser dependency for ~80 lines of output.
 */
import type { CompareReport, CompareRow } from './compare.js';

const W = 720, H = 440, L = 60, R = 170, T = 30, B = 50;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const label = (r: CompareRow) => (r.method === 'bon' ? 'best-of-N (reward)' : r.method === 'majority' ? 'majority@N' : r.method);

/** Rows grouped into series by method, sorted by tokens. */
export function seriesOf(rows: CompareRow[]): Array<{ name: string; points: CompareRow[] }> {
  const by = new Map<string, CompareRow[]>();
  for (const r of rows) if (r.tokens > 0) by.set(label(r), [...(by.get(label(r)) ?? []), r]);
  return [...by.entries()].map(([name, points]) => ({ name, points: points.sort((a, b) => a.tokens - b.tokens) }));
}

export function comparePlotSvg(report: CompareReport): string {
  const series = seriesOf(report.rows);
  const all = series.flatMap((s) => s.points);
  const lx = (t: number) => Math.log2(Math.max(1, t));
  const x0 = Math.floor(Math.min(...all.map((p) => lx(p.tokens)), 4)), x1 = Math.ceil(Math.max(...all.map((p) => lx(p.tokens)), x0 + 1));
  const X = (t: number) => L + ((lx(t) - x0) / (x1 - x0)) * (W - L - R);
  const Y = (a: number) => T + (1 - a) * (H - T - B);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="18" font-size="14">${esc(`Accuracy vs tokens per task — ${report.policy}, ${report.split} split, ${report.tasks} tasks`)}</text>`];
  for (let a = 0; a <= 1.0001; a += 0.2) {
    out.push(`<line x1="${L}" x2="${W - R}" y1="${Y(a)}" y2="${Y(a)}" stroke="#ddd"/>`, `<text x="${L - 8}" y="${Y(a) + 4}" text-anchor="end">${Math.round(a * 100)}%</text>`);
  }
  for (let e = x0; e <= x1; e++) {
    out.push(`<line x1="${X(2 ** e)}" x2="${X(2 ** e)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`, `<text x="${X(2 ** e)}" y="${H - B + 16}" text-anchor="middle">${2 ** e}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">tokens per task (prompt + completion, log scale)</text>`,
    `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">accuracy (grader)</text>`,
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>`);
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]!;
    const pts = s.points.map((p) => `${X(p.tokens).toFixed(1)},${Y(p.accuracy).toFixed(1)}`);
    if (pts.length > 1) out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const p of s.points) {
      const tip = `${s.name}${p.n !== undefined ? ` N=${p.n}` : ''}${p.budget !== undefined ? ` budget ${p.budget}` : ''}: ${(p.accuracy * 100).toFixed(1)}% at ${Math.round(p.tokens)} tokens`;
      out.push(`<circle cx="${X(p.tokens).toFixed(1)}" cy="${Y(p.accuracy).toFixed(1)}" r="3.5" fill="${c}"><title>${esc(tip)}</title></circle>`);
    }
    out.push(`<rect x="${W - R + 12}" y="${T + 8 + i * 20}" width="12" height="12" fill="${c}"/>`, `<text x="${W - R + 30}" y="${T + 18 + i * 20}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export function comparePlotHtml(report: CompareReport): string {
  const rows = report.rows.map((r) => `<tr><td>${esc(label(r))}</td><td>${r.n ?? ''}</td><td>${r.budget ?? ''}</td><td>${(r.accuracy * 100).toFixed(1)} %</td><td>${Math.round(r.tokens)}</td><td>${r.tasks}</td><td>${r.errors ?? ''}</td><td>${r.oracle ? 'oracle' : ''}</td></tr>`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>reasoner compare</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}</style></head><body>
<h1>Accuracy vs compute</h1>
<p>${esc(`${report.policy} · ${report.split} split · ${report.tasks} tasks · seed ${report.seed} · sampling T=${report.temperature} · wall ${(report.wallMs / 1000).toFixed(0)} s`)}</p>
${comparePlotSvg(report)}
<table><thead><tr><th>method</th><th>N</th><th>budget</th><th>accuracy</th><th>tokens/task</th><th>tasks</th><th>errors</th><th></th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
