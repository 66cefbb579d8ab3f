// Reasoner dashboard: plain ES module, no build step. Talks to the server's own API.
const $ = (s) => document.querySelector(s);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === 'class' ? (e.className = v) : e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
};
const svgEl = (tag, attrs = {}) => {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
};
const fmt = (x, d = 1) => (x == null || Number.isNaN(x) ? '—' : Number(x).toFixed(d));

let apiKey = localStorage.getItem('reasoner.apiKey') || '';
$('#apikey').value = apiKey;
$('#apikey').addEventListener('change', () => { apiKey = $('#apikey').value.trim(); localStorage.setItem('reasoner.apiKey', apiKey); refreshAll(); });
const headers = (json) => ({ ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) });

async function api(path, opts = {}) {
  const res = await fetch(path, { ...opts, headers: { ...headers(!!opts.body), ...(opts.headers || {}) } });
  if (res.status === 401) { $('#keybox').hidden = false; throw new Error('API key needed'); }
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message || `HTTP ${res.status}`);
  return body;
}

/** Reads an SSE response and calls onEvent(name, data) for each event. */
async function readSse(res, onEvent) {
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = 'message', data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data && data !== '[DONE]') onEvent(event, JSON.parse(data));
    }
  }
}

// ---------- health and models ----------
async function loadHealth() {
  try {
    const h = await (await fetch('/healthz')).json();
    $('#health').textContent = `policy ${h.policy} · ${h.models.length} models · up ${h.uptimeS} s`;
    const sel = $('#model');
    if (!sel.options.length) {
      for (const m of h.models) sel.append(el('option', { value: m }, m));
      const pick = h.models.find((m) => m.endsWith('+mcts')) || h.models.find((m) => m.includes('+bon')) || h.models[0];
      sel.value = pick;
    }
  } catch (e) {
    $('#health').textContent = `server unreachable: ${e.message}`;
  }
}

// ---------- live search tree ----------
const tree = { nodes: new Map(), selected: null, candidates: [], best: null, events: 0 };
let drawQueued = false;
const queueDraw = () => { if (!drawQueued) { drawQueued = true; requestAnimationFrame(() => { drawQueued = false; drawTree(); }); } };

function upsert(n) {
  const old = tree.nodes.get(n.id) || {};
  tree.nodes.set(n.id, { ...old, ...n });
}

function drawTree() {
  const svg = $('#tree');
  svg.replaceChildren();
  const nodes = [...tree.nodes.values()];
  const kids = new Map();
  for (const n of nodes) if (n.parent != null) (kids.get(n.parent) || kids.set(n.parent, []).get(n.parent)).push(n);
  const roots = nodes.filter((n) => n.parent == null || !tree.nodes.has(n.parent));
  // Leaves in DFS order get consecutive rows; a parent sits at the middle of its children.
  let row = 0;
  const pos = new Map();
  const place = (n) => {
    const ch = (kids.get(n.id) || []).sort((a, b) => String(a.id).localeCompare(String(b.id), undefined, { numeric: true }));
    if (!ch.length) pos.set(n.id, row++);
    else { ch.forEach(place); pos.set(n.id, (pos.get(ch[0].id) + pos.get(ch[ch.length - 1].id)) / 2); }
  };
  roots.forEach(place);
  // Depth from the parent chain (searches differ in what a node's `steps` hold).
  const depthOf = new Map();
  const depth = (n) => {
    if (depthOf.has(n.id)) return depthOf.get(n.id);
    depthOf.set(n.id, 0);
    const p = n.parent != null ? tree.nodes.get(n.parent) : null;
    const d = p ? depth(p) + 1 : (n.depth || 0);
    depthOf.set(n.id, d);
    return d;
  };
  const W = svg.clientWidth || 700, H = svg.clientHeight || 360;
  const maxDepth = Math.max(1, ...nodes.map(depth));
  const dx = (W - 140) / maxDepth, dy = Math.min(22, (H - 20) / Math.max(1, row));
  const xy = (n) => [20 + depth(n) * dx, 12 + pos.get(n.id) * dy];
  for (const n of nodes) {
    if (n.parent == null || !tree.nodes.has(n.parent)) continue;
    const [x1, y1] = xy(tree.nodes.get(n.parent)), [x2, y2] = xy(n);
    svg.append(svgEl('path', { class: 'edge', d: `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}` }));
  }
  for (const n of nodes) {
    const [x, y] = xy(n);
    const v = n.reward ?? n.value ?? 0;
    const g = svgEl('g', { class: `node${tree.selected === n.id ? ' selected' : ''}`, 'data-id': n.id, transform: `translate(${x},${y})` });
    const hue = Math.round(120 * Math.max(0, Math.min(1, v)));
    g.append(svgEl('circle', { r: 4 + Math.min(6, Math.sqrt(n.visits || 1)), fill: n.terminal ? `hsl(${hue},70%,40%)` : `hsl(${hue},55%,60%)` }));
    const label = svgEl('text', { x: 9, y: 3 });
    label.textContent = `${n.step || (n.parent == null ? 'root' : '')}  ${fmt(v, 2)}${n.visits ? ` ·${n.visits}` : ''}`;
    g.append(label);
    const title = svgEl('title');
    title.textContent = `node ${n.id}: visits ${n.visits ?? 0}, value ${fmt(n.value, 3)}${n.reward != null ? `, reward ${fmt(n.reward, 3)}` : ''}${n.terminal ? ', terminal' : ''}`;
    g.append(title);
    svg.append(g);
  }
  $('#tree-stats').textContent = `${nodes.length} nodes · depth ${nodes.length ? maxDepth : 0} · ${tree.candidates.length} candidates · ${tree.events} events`;
}

let reasonAbort = null;
async function reason(ev) {
  ev.preventDefault();
  reasonAbort?.abort();
  reasonAbort = new AbortController();
  Object.assign(tree, { nodes: new Map(), selected: null, candidates: [], best: null, events: 0 });
  $('#candidates').replaceChildren();
  $('#best').textContent = '…';
  $('#reason-stop').disabled = false;
  $('#reason-go').disabled = true;
  const prompt = $('#prompt').value.replace(/\\n/g, '\n');
  const body = { model: $('#model').value, prompt: prompt.endsWith('\n') ? prompt : `${prompt}\n`, budget: { tokens: Number($('#budget').value) || 20000 } };
  let flat = true; // best-of-N has no tree: candidates hang off a virtual root
  try {
    const res = await fetch('/v1/reason', { method: 'POST', headers: headers(true), body: JSON.stringify(body), signal: reasonAbort.signal });
    if (!res.ok) throw new Error((await res.json().catch(() => null))?.error?.message || `HTTP ${res.status}`);
    await readSse(res, (name, d) => {
      tree.events++;
      if (name === 'select') { flat = false; upsert(d.node); tree.selected = d.node.id; }
      else if (name === 'expand') { flat = false; upsert(d.node); d.children.forEach(upsert); }
      else if (name === 'evaluate' || name === 'backup') { flat = false; upsert({ ...d.node, ...(name === 'evaluate' ? { reward: d.value } : {}) }); }
      else if (name === 'candidate') {
        tree.candidates.push(d);
        if (flat) {
          if (!tree.nodes.has('root')) upsert({ id: 'root', parent: null, depth: 0, step: 'prompt', value: 0 });
          upsert({ id: `c${tree.candidates.length}`, parent: 'root', depth: 1, step: d.text.trim().split('\n').slice(-1)[0], value: d.reward, reward: d.reward, terminal: true, visits: 1 });
        }
        const li = el('li', { class: d.correct ? 'ok' : '' }, `${fmt(d.reward, 2)}  ${d.text.trim().replace(/\n/g, ' ⏎ ')}`);
        $('#candidates').append(li);
        $('#cand-count').textContent = `(${tree.candidates.length})`;
      } else if (name === 'best') $('#best').textContent = `reward ${fmt(d.reward, 2)}${d.correct ? ' ✓' : ''}\n${d.text}`;
      else if (name === 'tree') { for (const n of d.kept) upsert(n); }
      else if (name === 'record') {
        $('#best').textContent = `${d.correct ? '✓ correct' : '✗ not correct'} (grader) · reward ${fmt(d.reward?.value, 2)} · ${d.usage.completionTokens} tokens · ${d.ms} ms\n${d.solution}`;
        $('#best').className = d.correct ? 'ok' : 'bad';
      } else if (name === 'error') $('#best').textContent = `error: ${d.error.message}`;
      queueDraw();
    });
  } catch (e) {
    if (e.name !== 'AbortError') $('#best').textContent = `error: ${e.message}`;
  } finally {
    $('#reason-stop').disabled = true;
    $('#reason-go').disabled = false;
    queueDraw();
  }
}
$('#reason-form').addEventListener('submit', reason);
$('#reason-stop').addEventListener('click', () => reasonAbort?.abort());

// ---------- runs ----------
const watching = new Set();
function runRow(r) {
  const s = r.summary;
  const total = r.total ?? s?.tasks ?? null, done = r.done ?? s?.tasks ?? 0;
  const pct = total ? Math.round((100 * done) / total) : 100;
  const acc = s ? s.accuracy : r.done ? r.correct / r.done : null;
  const tr = el('tr', { 'data-run': r.id },
    el('td', {}, r.id), el('td', {}, r.status ?? 'done'),
    el('td', {}, (() => { const b = el('div', { class: 'bar', title: `${done}/${total ?? '?'}` }); b.append(el('div', { style: `width:${pct}%` })); return b; })()),
    el('td', {}, acc == null ? '—' : `${fmt(100 * acc)} %`), el('td', {}, r.status === 'running' ? (() => { const b = el('button', { type: 'button' }, 'cancel'); b.onclick = (e) => { e.stopPropagation(); api(`/v1/runs/${r.id}`, { method: 'DELETE' }).then(refreshRuns); }; return b; })() : ''));
  tr.onclick = () => showRecords(r.id, 0);
  return tr;
}
async function refreshRuns() {
  try {
    const { jobs, runs } = await api('/v1/runs');
    const jobRunIds = new Set(jobs.map((j) => j.runId));
    const rows = [...jobs, ...runs.filter((r) => !jobRunIds.has(r.id))];
    $('#runs tbody').replaceChildren(...rows.map(runRow));
    $('#runs-empty').hidden = rows.length > 0;
    for (const j of jobs) if (j.status === 'running' && !watching.has(j.id)) watchJob(j.id);
  } catch (e) { $('#runs-empty').textContent = e.message; }
}
async function watchJob(id) {
  watching.add(id);
  try {
    const res = await fetch(`/v1/runs/${id}/events`, { headers: headers(false) });
    let last = 0;
    await readSse(res, (name) => {
      if (name === 'end' || Date.now() - last > 500) { last = Date.now(); refreshRuns(); }
      if (name === 'end') refreshCharts();
    });
  } finally { watching.delete(id); }
}
$('#run-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try { await api('/v1/runs', { method: 'POST', body: JSON.stringify({ limit: Number($('#run-limit').value) || 20 }) }); } catch (err) { alert(err.message); }
  refreshRuns();
});

// ---------- charts ----------
function chart(svg, series, { xlabel, ylabel, logX }) {
  svg.replaceChildren();
  const W = svg.clientWidth || 420, H = svg.clientHeight || 240, L = 42, B = 28, T = 10, R = 10;
  const pts = series.flatMap((s) => s.points);
  if (!pts.length) return false;
  const tx = (x) => (logX ? Math.log10(Math.max(1e-9, x)) : x);
  let x0 = Math.min(...pts.map((p) => tx(p.x))), x1 = Math.max(...pts.map((p) => tx(p.x)));
  if (x0 === x1) { x0 -= 1; x1 += 1; }
  const X = (x) => L + ((tx(x) - x0) / (x1 - x0)) * (W - L - R), Y = (y) => H - B - y * (H - B - T);
  svg.append(svgEl('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }), svgEl('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
  for (const y of [0, 0.25, 0.5, 0.75, 1]) { const t = svgEl('text', { x: 4, y: Y(y) + 3 }); t.textContent = `${y * 100}%`; svg.append(t); }
  const xl = svgEl('text', { x: W / 2, y: H - 6 }); xl.textContent = xlabel; svg.append(xl);
  for (const v of [x0, (x0 + x1) / 2, x1]) { const t = svgEl('text', { x: L + ((v - x0) / (x1 - x0)) * (W - L - R), y: H - B + 12, 'text-anchor': v === x0 ? 'start' : v === x1 ? 'end' : 'middle' }); t.textContent = logX ? Math.round(10 ** v) : fmt(v, 0); svg.append(t); }
  series.forEach((s, i) => {
    const color = `hsl(${(i * 67) % 360},65%,45%)`;
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    if (s.line && sorted.length > 1) svg.append(svgEl('polyline', { points: sorted.map((p) => `${X(p.x)},${Y(p.y)}`).join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }));
    for (const p of sorted) {
      const c = svgEl('circle', { cx: X(p.x), cy: Y(p.y), r: 4, fill: color });
      const t = svgEl('title'); t.textContent = `${s.label}: ${fmt(100 * p.y)} % at ${fmt(p.x, 0)} ${xlabel}${p.note ? ` (${p.note})` : ''}`; c.append(t);
      svg.append(c);
    }
    const lg = svgEl('text', { x: L + 8, y: T + 10 + 12 * i, fill: color }); lg.textContent = s.label; svg.append(lg);
  });
  void ylabel;
  return true;
}
async function refreshCharts() {
  try {
    const d = await api('/v1/dashboard');
    const bySearch = new Map();
    for (const p of d.points) (bySearch.get(p.label) || bySearch.set(p.label, []).get(p.label)).push({ x: p.tokensPerTask, y: p.accuracy, note: p.source });
    const has = chart($('#compute-chart'), [...bySearch].slice(0, 12).map(([label, points]) => ({ label, points, line: points.length > 1 })), { xlabel: 'tokens per task', logX: true });
    $('#compute-empty').hidden = has;
    const has2 = chart($('#learn-chart'), d.curves.slice(0, 8).map((c) => ({ label: c.label, points: c.points.map((p) => ({ x: p.x, y: p.y })), line: true })), { xlabel: 'round' });
    $('#learn-empty').hidden = has2;
  } catch (e) { $('#compute-empty').textContent = e.message; }
}

// ---------- trajectories ----------
let recordsAt = { id: null, offset: 0 };
async function showRecords(id, offset) {
  recordsAt = { id, offset };
  $('#traj-run').textContent = `(${id})`;
  try {
    const page = await api(`/v1/runs/${encodeURIComponent(id)}/records?format=json&offset=${offset}&limit=50`);
    const rows = page.records.map((r) => {
      const tr = el('tr', {}, el('td', {}, r.taskId), el('td', { class: r.correct ? 'ok' : 'bad' }, r.correct ? '✓' : '✗'), el('td', {}, fmt(r.reward?.value, 2)), el('td', {}, String(r.usage?.completionTokens ?? '')), el('td', {}, String(r.ms)));
      tr.onclick = () => showRecord(r);
      return tr;
    });
    if (offset === 0) $('#records tbody').replaceChildren(...rows); else $('#records tbody').append(...rows);
    $('#records-more').hidden = offset + page.records.length >= page.total;
    if (offset === 0 && page.records[0]) showRecord(page.records[0]);
  } catch (e) { $('#record-detail').textContent = e.message; }
}
$('#records-more').addEventListener('click', () => showRecords(recordsAt.id, recordsAt.offset + 50));
function showRecord(r) {
  const d = $('#record-detail');
  d.className = '';
  const stepScores = r.reward?.steps || [];
  d.replaceChildren(
    el('div', {}, `${r.taskId} · ${r.correct ? 'correct' : 'not correct'} · answer ${r.answer ?? '—'} · gold ${r.gold ?? '—'} · ${r.search?.name}`),
    el('h3', {}, 'prompt'), el('pre', {}, r.prompt),
    el('h3', {}, 'steps (per-step reward)'),
    ...r.steps.map((s, i) => el('div', { class: `step ${stepScores[i] === 1 ? 'r1' : stepScores[i] === 0 ? 'r0' : ''}`, title: `step reward ${stepScores[i] ?? '—'}` }, `${fmt(stepScores[i], 2)}  ${s}`)),
    el('h3', {}, `candidates (${r.candidates?.length ?? 0})`),
    el('ol', { class: 'candidates' }, ...(r.candidates || []).map((c) => el('li', { class: c.correct ? 'ok' : '' }, `${fmt(c.reward, 2)}  ${c.text.trim().replace(/\n/g, ' ⏎ ')}`))),
  );
}

function refreshAll() { loadHealth(); refreshRuns(); refreshCharts(); }
refreshAll();
setInterval(loadHealth, 10_000);
setInterval(refreshRuns, 5_000);
