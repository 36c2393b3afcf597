// The dashboard: plain module, no build. The admin token lives in sessionStorage only (gone with the tab).
import uPlot from "/dashboard/uplot.js";

const $ = (id) => document.getElementById(id);
const TOKEN = "gateway-admin-token";
const charts = {};

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { ...(init.headers || {}), authorization: `Bearer ${sessionStorage.getItem(TOKEN)}` } });
  const body = await res.json();
  if (!res.ok) throw new Error(body?.error?.message || `HTTP ${res.status}`);
  return body;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function fillTable(table, head, rows) {
  table.replaceChildren();
  const tr = document.createElement("tr");
  for (const h of head) { const th = document.createElement("th"); th.textContent = h; tr.append(th); }
  table.append(tr);
  for (const r of rows) { const row = document.createElement("tr"); for (const v of r) row.append(v instanceof Node ? wrap(v) : cell(String(v))); table.append(row); }
}
function wrap(node) { const td = document.createElement("td"); td.append(node); return td; }

/** Cost per 5-minute bucket, one series per model or key. */
function drawChart(el, points) {
  const bucket = 300_000;
  const names = [...new Set(points.map((p) => p.series))].sort();
  const times = [...new Set(points.map((p) => Math.floor(p.t / bucket) * bucket))].sort((a, b) => a - b);
  // A lone bucket would make uPlot stretch the time axis over years: give it empty neighbours.
  if (times.length === 1) times.unshift(times[0] - bucket), times.push(times[1] + bucket);
  const index = new Map(times.map((t, i) => [t, i]));
  const series = names.map(() => times.map(() => 0));
  for (const p of points) series[names.indexOf(p.series)][index.get(Math.floor(p.t / bucket) * bucket)] += p.costUsd;
  const data = [times.map((t) => t / 1000), ...series];
  const colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
  const opts = {
    width: 520, height: 240,
    series: [{}, ...names.map((n, i) => ({ label: n, stroke: colors[i % colors.length], width: 2, points: { show: true, size: 6 } }))],
    axes: [{}, { label: "USD", size: 70, values: (u, splits) => splits.map((v) => (v === 0 ? "0" : v.toExponential(1))) }],
  };
  charts[el.id]?.destroy();
  charts[el.id] = new uPlot(opts, data, el);
  el.dataset.points = String(points.length);
}

async function refresh() {
  const [byModel, byKey, models, keys, errors, tsModel, tsKey] = await Promise.all([
    api("/admin/usage?groupBy=model"), api("/admin/usage?groupBy=key"), null, api("/admin/keys"), api("/admin/recent-errors"),
    api("/admin/timeseries?by=model"), api("/admin/timeseries?by=key"),
  ]);
  drawChart($("chartModel"), tsModel.data);
  drawChart($("chartKey"), tsKey.data);
  const top = (rows, name) => rows.slice().sort((a, b) => b.costUsd - a.costUsd).slice(0, 10).map((r) => [r[name], r.requests, r.costUsd.toFixed(6)]);
  fillTable($("topModels"), ["model", "requests", "cost USD"], top(byModel.data, "model"));
  fillTable($("topKeys"), ["key", "requests", "cost USD"], top(byKey.data, "key"));
  fillTable($("errors"), ["time", "key", "model", "status", "error"], errors.data.map((e) => [e.started_at, e.key_id, e.model ?? "", e.status ?? "", e.error_type ?? ""]));
  fillTable($("keys"), ["id", "name", "spent USD", "budget USD", "status", ""], keys.data.map((k) => {
    const b = document.createElement("button");
    b.textContent = "Revoke"; b.type = "button"; b.dataset.revoke = k.id; b.disabled = k.revokedAt !== null;
    b.addEventListener("click", async () => { await api(`/admin/keys/${encodeURIComponent(k.id)}`, { method: "DELETE" }); await refresh(); });
    return [k.id, k.name, k.spentUsd.toFixed(6), k.budgetUsd ?? "none", k.revokedAt ? "revoked" : "active", b];
  }));
  void models;
}

async function start() {
  try {
    await refresh();
    $("login").classList.add("hidden");
    $("main").classList.remove("hidden");
    $("loginError").textContent = "";
  } catch (e) {
    sessionStorage.removeItem(TOKEN);
    $("loginError").textContent = e.message;
  }
}

$("login").addEventListener("submit", (ev) => { ev.preventDefault(); sessionStorage.setItem(TOKEN, $("token").value); void start(); });
$("logout").addEventListener("click", () => { sessionStorage.removeItem(TOKEN); location.reload(); });
$("refresh").addEventListener("click", () => void refresh());
$("create").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const budget = $("keyBudget").value;
  const created = await api("/admin/keys", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: $("keyName").value, ...(budget && { budgetUsd: Number(budget) }) }) });
  $("newKey").textContent = `New key (shown once): ${created.key}`;
  $("newKey").dataset.keyId = created.id;
  $("newKey").classList.remove("hidden");
  await refresh();
});
if (sessionStorage.getItem(TOKEN)) void start();
