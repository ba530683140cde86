/**
 * The status page at `/`: one self-contained HTML document (inline CSS and script, no external
 * asset, no build step) that polls `/status.json` every second and redraws: readiness, per server
 * the load tiles (calls/s with a sparkline, errors, in flight, connections, shed calls, event-loop
 * delay, worker threads), the methods table (calls, codes, p50/p90/p99 of the last window), the
 * open connections, the channels' instances with their balancer state, and the recent and slowest
 * calls. Every value from the server is inserted as text (`textContent`), never as markup: method
 * names and metadata come from clients. The Content-Security-Policy allows exactly this page's
 * script and style (by hash) and requests to its own origin.
 *
 * Elements carry `data-server`, `data-method="Service.method"` and `data-field` attributes so that
 * tests (and people with a browser console) can read the numbers.
 */
import { nodeCrypto } from '../internal/node-builtins.js';

const STYLE = `
:root { --bg:#f5f6f8; --card:#fff; --ink:#1c2330; --muted:#687385; --line:#e3e6eb; --accent:#2f6fde;
  --ok:#1a8a4a; --ok-bg:#e3f5ea; --bad:#c62f2f; --bad-bg:#fbe6e6; --warn:#a86200; --warn-bg:#fdf0dc; --head:#17202e; }
@media (prefers-color-scheme: dark) { :root { --bg:#10141b; --card:#171d26; --ink:#e4e8ee; --muted:#8b95a5; --line:#263040;
  --accent:#6b9cf5; --ok:#4cc47e; --ok-bg:#173325; --bad:#f07070; --bad-bg:#3a1d1f; --warn:#e0a050; --warn-bg:#3a2c17; --head:#0b0f15; } }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
header { background:var(--head); color:#fff; padding:12px 24px; display:flex; align-items:center; gap:18px; flex-wrap:wrap; position:sticky; top:0; z-index:2; }
header h1 { margin:0; font-size:18px; letter-spacing:.3px; font-weight:650; }
header h1 small { font-weight:400; color:#9aa6b8; margin-left:6px; }
header .proc { color:#b8c2d2; font-size:13px; }
header .spacer { flex:1; }
.live { font-size:12px; color:#b8c2d2; display:flex; align-items:center; gap:6px; }
.dot { width:8px; height:8px; border-radius:50%; background:#4cc47e; box-shadow:0 0 0 3px rgba(76,196,126,.25); }
.live.stale .dot { background:#f07070; box-shadow:0 0 0 3px rgba(240,112,112,.25); }
main { padding:20px 24px 40px; max-width:1400px; margin:0 auto; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; margin-bottom:20px; overflow:hidden; }
.card-head { display:flex; align-items:baseline; gap:12px; padding:14px 18px 10px; flex-wrap:wrap; }
.card-head h2 { margin:0; font-size:16px; }
.card-head .meta { color:var(--muted); font-size:13px; }
.tiles { display:flex; flex-wrap:wrap; border-top:1px solid var(--line); margin-right:-1px; }
.tile { flex:1 1 160px; padding:10px 16px 12px; min-height:78px; border-right:1px solid var(--line); border-bottom:1px solid var(--line); }
.tile .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.4px; }
.tile .value { font-size:22px; font-weight:600; font-variant-numeric:tabular-nums; margin-top:2px; }
.tile .sub { color:var(--muted); font-size:12px; font-variant-numeric:tabular-nums; }
.tile svg { display:block; margin-top:4px; }
.tile svg polyline { fill:none; stroke:var(--accent); stroke-width:1.5; }
.tile svg polygon { fill:var(--accent); opacity:.12; }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th, td { text-align:left; padding:7px 12px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; color:var(--muted); font-weight:600; text-transform:uppercase; letter-spacing:.3px; background:var(--card); position:sticky; top:0; }
td.num, th.num { text-align:right; white-space:nowrap; }
tr.service td { background:var(--bg); font-weight:600; font-size:13px; padding-top:6px; padding-bottom:6px; }
td.method { padding-left:24px; font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:13px; }
tbody tr:hover td { background:rgba(47,111,222,.05); }
.flag { display:inline-block; font:11px system-ui,sans-serif; color:var(--muted); border:1px solid var(--line); border-radius:4px; padding:0 4px; margin-left:6px; }
.chip { display:inline-block; font-size:12px; border-radius:10px; padding:1px 8px; margin:1px 4px 1px 0; white-space:nowrap; background:var(--bad-bg); color:var(--bad); }
.chip.ok { background:var(--ok-bg); color:var(--ok); }
.chip.exc { background:var(--warn-bg); color:var(--warn); font-style:italic; }
.chip.md { background:var(--bg); color:var(--ink); font-family:ui-monospace,Menlo,Consolas,monospace; }
.badge { display:inline-block; font-size:12px; font-weight:600; border-radius:4px; padding:2px 8px; background:var(--ok-bg); color:var(--ok); }
.badge.bad { background:var(--bad-bg); color:var(--bad); }
.badge.warn { background:var(--warn-bg); color:var(--warn); }
header .badge { font-size:13px; }
.err { color:var(--bad); }
.muted { color:var(--muted); }
details > summary { cursor:pointer; padding:10px 18px; color:var(--muted); font-size:13px; user-select:none; }
details[open] > summary { border-bottom:1px solid var(--line); }
.scroll { max-height:480px; overflow:auto; }
.tabs { display:flex; gap:6px; padding:0 18px 10px; }
.tabs button { font:inherit; font-size:13px; border:1px solid var(--line); background:var(--card); color:var(--ink); border-radius:6px; padding:4px 12px; cursor:pointer; }
.tabs button.on { background:var(--accent); border-color:var(--accent); color:#fff; }
.bar { height:6px; border-radius:3px; background:var(--accent); opacity:.7; min-width:1px; }
.empty { padding:14px 18px; color:var(--muted); }
footer { color:var(--muted); font-size:12px; text-align:center; padding:10px; }
footer a { color:var(--accent); margin:0 8px; }
#banner { display:none; background:var(--bad-bg); color:var(--bad); padding:8px 24px; font-weight:600; }
#banner.on { display:block; }
`;

// Plain ES2017 with string concatenation (no template literals): it is embedded in a template literal.
const SCRIPT = `
(function () {
  'use strict';
  var POLL_MS = 1000, HISTORY = 30;
  var app = document.getElementById('app');
  var live = document.getElementById('live');
  var liveText = document.getElementById('live-text');
  var banner = document.getElementById('banner');
  var readyEl = document.getElementById('ready');
  var procEl = document.getElementById('proc');
  var history = {};
  var tab = 'recent';
  var last = null;

  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = String(v);
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }
  function add(el, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) { for (var i = 0; i < c.length; i++) add(el, c[i]); return; }
    el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  function svg(tag, attrs) {
    var el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var k in attrs) el.setAttribute(k, String(attrs[k]));
    return el;
  }

  function int(n) { return Math.round(n).toLocaleString('en-US'); }
  function rate(r) { return r >= 100 ? int(r) : r.toFixed(1); }
  function ms(v) {
    if (v === null || v === undefined) return '\\u2013';
    if (v >= 1000) return (v / 1000).toFixed(2) + ' s';
    if (v >= 100) return Math.round(v) + ' ms';
    if (v >= 10) return v.toFixed(1) + ' ms';
    return v.toFixed(2) + ' ms';
  }
  function bytes(b) {
    var units = ['B', 'KiB', 'MiB', 'GiB'], i = 0;
    while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
    return (i === 0 ? b : b.toFixed(1)) + ' ' + units[i];
  }
  function age(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var d = Math.floor(seconds / 86400), hr = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    if (d > 0) return d + 'd ' + hr + 'h';
    if (hr > 0) return hr + 'h ' + m + 'm';
    if (m > 0) return m + 'm ' + s + 's';
    return s + 's';
  }
  function clock(t) { t = Math.floor(t); return new Date(t).toLocaleTimeString('en-GB', { hour12: false }) + '.' + String(t % 1000).padStart(3, '0'); }

  function methodsOf(server) {
    var all = [];
    server.services.forEach(function (svc) { svc.methods.forEach(function (m) { all.push(m); }); });
    if (server.unregistered) all.push(server.unregistered);
    return all;
  }
  function sum(list, f) { var t = 0; for (var i = 0; i < list.length; i++) t += f(list[i]); return t; }

  function track(snapshot) {
    snapshot.servers.forEach(function (server) {
      var calls = sum(methodsOf(server), function (m) { return m.calls; });
      var points = history[server.name] || (history[server.name] = []);
      var prev = points[points.length - 1];
      var perSecond = prev && snapshot.generatedAt > prev.t ? Math.max(0, (calls - prev.calls) * 1000 / (snapshot.generatedAt - prev.t)) : null;
      points.push({ t: snapshot.generatedAt, calls: calls, rate: perSecond, inFlight: server.stats.inFlight });
      if (points.length > HISTORY) points.shift();
    });
  }

  function spark(values) {
    var w = 132, hgt = 26;
    var el = svg('svg', { width: w, height: hgt, viewBox: '0 0 ' + w + ' ' + hgt, 'aria-hidden': 'true' });
    var vals = values.filter(function (v) { return v !== null; });
    if (vals.length < 2) return el;
    var max = Math.max.apply(null, vals.concat([1]));
    var step = w / (HISTORY - 1), x0 = w - step * (vals.length - 1);
    var pts = vals.map(function (v, i) { return (x0 + i * step).toFixed(1) + ',' + (hgt - 1 - (v / max) * (hgt - 3)).toFixed(1); });
    el.appendChild(svg('polygon', { points: x0.toFixed(1) + ',' + hgt + ' ' + pts.join(' ') + ' ' + w + ',' + hgt }));
    el.appendChild(svg('polyline', { points: pts.join(' ') }));
    return el;
  }

  function tile(label, field, value, sub, extra) {
    return h('div', { class: 'tile' },
      h('div', { class: 'label', text: label }),
      h('div', { class: 'value', 'data-field': field, text: value }),
      sub === null ? null : h('div', { class: 'sub', text: sub }),
      extra || null);
  }

  function stateBadge(state) {
    var cls = state === 'listening' || state === 'serving-handed' ? 'badge' : state === 'draining' ? 'badge warn' : 'badge bad';
    return h('span', { class: cls, 'data-field': 'state', text: state });
  }

  function codeChips(m) {
    var codes = Object.keys(m.codes).sort(function (a, b) { return m.codes[b] - m.codes[a]; });
    var chips = codes.map(function (c) { return h('span', { class: c === 'OK' ? 'chip ok' : 'chip', 'data-code': c, text: c + ' ' + int(m.codes[c]) }); });
    Object.keys(m.exceptions).forEach(function (e) { chips.push(h('span', { class: 'chip exc', title: 'declared exception', text: e + ' ' + int(m.exceptions[e]) })); });
    return chips.length ? chips : h('span', { class: 'muted', text: '\\u2013' });
  }

  function methodRow(serviceName, m) {
    var lat = m.window.latencyMs;
    var flags = [];
    if (m.oneway) flags.push(h('span', { class: 'flag', text: 'oneway' }));
    if (m.idempotent) flags.push(h('span', { class: 'flag', text: 'idempotent' }));
    if (m.workerThread) flags.push(h('span', { class: 'flag', text: 'worker thread' }));
    return h('tr', { 'data-method': serviceName ? serviceName + '.' + m.name : m.name },
      h('td', { class: 'method' }, m.name, flags),
      h('td', { class: 'num', 'data-field': 'calls', text: int(m.calls) }),
      h('td', { class: 'num', 'data-field': 'rate', text: rate(m.window.perSecond) }),
      h('td', { class: 'num' + (m.errors ? ' err' : ''), 'data-field': 'errors', text: int(m.errors) }),
      h('td', { 'data-field': 'codes' }, codeChips(m)),
      h('td', { class: 'num', 'data-field': 'p50', text: ms(lat && lat.p50) }),
      h('td', { class: 'num', 'data-field': 'p90', text: ms(lat && lat.p90) }),
      h('td', { class: 'num', 'data-field': 'p99', text: ms(lat && lat.p99) }),
      h('td', { class: 'num', 'data-field': 'max', text: ms(lat && lat.max) }));
  }

  function serverCard(server, snapshot) {
    var st = server.stats;
    var methods = methodsOf(server);
    var points = history[server.name] || [];
    var now = points.length ? points[points.length - 1].rate : null;
    var windowCalls = sum(methods, function (m) { return m.window.calls; });
    var windowErrors = sum(methods, function (m) { return m.window.errors; });
    var windowRate = sum(methods, function (m) { return m.window.perSecond; });
    var windowLabel = Math.round(snapshot.windowMs / 1000) + ' s';
    var tiles = [
      tile('Calls / s', 'calls-per-second', now === null ? rate(windowRate) : rate(now), windowLabel + ' avg ' + rate(windowRate),
        spark(points.map(function (p) { return p.rate; }))),
      tile('Errors', 'error-rate', windowCalls ? (100 * windowErrors / windowCalls).toFixed(windowErrors ? 2 : 0) + '%' : '\\u2013',
        int(windowErrors) + ' of ' + int(windowCalls) + ' in ' + windowLabel),
      tile('In flight', 'in-flight', int(st.inFlight), 'limit ' + int(st.limit), spark(points.map(function (p) { return p.inFlight; }))),
      tile('Connections', 'connections', int(st.connections), st.connectionsRefused === undefined ? null :
        'refused ' + int(st.connectionsRefused) + ' \\u00b7 idle closed ' + int(st.idleClosed) + ' \\u00b7 slow closed ' + int(st.slowFramesClosed)),
      tile('Rejected', 'rejected', int(st.rejected), 'over the limit, since start'),
      tile('Expired', 'expired', int(st.expired), 'deadline passed before start'),
      tile('Event loop delay', 'event-loop-p99', ms(st.eventLoopDelayMs.p99), 'p99 \\u00b7 mean ' + ms(st.eventLoopDelayMs.mean) + ' \\u00b7 max ' + ms(st.eventLoopDelayMs.max))
    ];
    if (st.workerThreads) {
      var wt = st.workerThreads;
      tiles.push(tile('Worker threads', 'worker-threads', wt.ready + ' / ' + wt.threads, int(wt.inFlight) + ' in flight \\u00b7 ' + int(wt.restarts) + ' restarts'));
    }

    var rows = [];
    server.services.forEach(function (svc) {
      rows.push(h('tr', { class: 'service' }, h('td', { colspan: 9, text: svc.name })));
      svc.methods.forEach(function (m) { rows.push(methodRow(svc.name, m)); });
    });
    if (server.unregistered) {
      rows.push(h('tr', { class: 'service' }, h('td', { colspan: 9, text: 'Calls to unregistered methods' })));
      rows.push(methodRow('', server.unregistered));
    }
    var methodsTable = h('table', null,
      h('thead', null, h('tr', null,
        h('th', { text: 'Method' }), h('th', { class: 'num', text: 'Calls' }), h('th', { class: 'num', text: 'Calls/s' }),
        h('th', { class: 'num', text: 'Errors' }), h('th', { text: 'Codes' }),
        h('th', { class: 'num', text: 'p50' }), h('th', { class: 'num', text: 'p90' }), h('th', { class: 'num', text: 'p99' }),
        h('th', { class: 'num', text: 'Max' }))),
      h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 9, class: 'muted', text: 'No services registered.' }))));

    var conns = server.connections.map(function (c) {
      return h('tr', null, h('td', { text: c.peer }), h('td', { class: 'num', text: int(c.inFlight) }), h('td', { class: 'num', text: age((snapshot.generatedAt - c.openedAt) / 1000) }));
    });
    var connDetails = h('details', { id: 'conns-' + server.name },
      h('summary', { text: 'Connections (' + int(st.connections) + (server.connections.length < st.connections ? ', ' + server.connections.length + ' shown' : '') + ')' }),
      conns.length ? h('div', { class: 'scroll' }, h('table', null,
        h('thead', null, h('tr', null, h('th', { text: 'Peer' }), h('th', { class: 'num', text: 'In flight' }), h('th', { class: 'num', text: 'Open for' }))),
        h('tbody', null, conns))) : h('div', { class: 'empty', text: 'No open connections.' }));

    return h('section', { class: 'card', 'data-server': server.name },
      h('div', { class: 'card-head' },
        h('h2', { text: 'Server \\u00b7 ' + server.name }),
        h('span', { class: 'meta', text: server.address || 'no listener of its own' }),
        stateBadge(server.state),
        h('span', { class: 'meta', text: 'percentiles over the last ' + windowLabel })),
      h('div', { class: 'tiles' }, tiles),
      methodsTable,
      connDetails);
  }

  function channelCard(ch) {
    var maxFlight = Math.max.apply(null, ch.instances.map(function (i) { return i.inFlight; }).concat([1]));
    var ready = ch.instances.filter(function (i) { return i.ready && !i.ejected; }).length;
    var rows = ch.instances.map(function (i) {
      var state = i.ejected ? h('span', { class: 'badge bad', text: 'ejected' }) : i.ready ? h('span', { class: 'badge', text: 'ready' }) : h('span', { class: 'badge warn', text: 'not ready' });
      var bar = h('div', { class: 'bar' });
      bar.style.width = Math.round(100 * i.inFlight / maxFlight) + '%';
      return h('tr', { 'data-endpoint': i.endpoint },
        h('td', { class: 'method', text: i.endpoint }),
        h('td', { 'data-field': 'instance-state' }, state),
        h('td', { class: 'num', 'data-field': 'weight', text: String(Math.round(i.weight * 100) / 100) }),
        h('td', { class: 'num', 'data-field': 'in-flight', text: int(i.inFlight) }),
        h('td', null, bar));
    });
    return h('section', { class: 'card', 'data-channel': ch.name },
      h('div', { class: 'card-head' },
        h('h2', { text: 'Channel \\u00b7 ' + ch.name }),
        h('span', { class: 'meta', text: ch.target }),
        ch.balancer ? h('span', { class: 'flag', text: 'balancer: ' + ch.balancer }) : null,
        ch.error ? h('span', { class: 'badge bad', text: ch.error }) : h('span', { class: 'meta', text: ready + ' of ' + ch.instances.length + ' instances ready' })),
      rows.length ? h('table', null,
        h('thead', null, h('tr', null, h('th', { text: 'Instance' }), h('th', { text: 'State' }), h('th', { class: 'num', text: 'Weight' }),
          h('th', { class: 'num', text: 'In flight' }), h('th', { text: 'Load' }))),
        h('tbody', null, rows)) : h('div', { class: 'empty', text: ch.error ? 'The channel could not report its status.' : 'No instances known yet.' }));
  }

  function rpczCard(rpcz, manyServers) {
    var list = tab === 'recent' ? rpcz.recent : rpcz.slowest;
    var rows = list.map(function (c) {
      var md = Object.keys(c.metadata).map(function (k) { return h('span', { class: 'chip md', text: k + '=' + c.metadata[k] }); });
      return h('tr', null,
        h('td', { class: 'num', text: clock(c.startedAt) }),
        manyServers ? h('td', { text: c.server }) : null,
        h('td', { class: 'method', text: (c.service ? c.service + '.' : '') + c.method }),
        h('td', null, h('span', { class: c.code === 'OK' ? 'chip ok' : 'chip', text: c.code }), c.exception ? h('span', { class: 'chip exc', text: c.exception }) : null,
          c.oneway ? h('span', { class: 'flag', text: 'oneway' }) : null, !c.answered && !c.oneway ? h('span', { class: 'flag', text: 'unanswered' }) : null),
        h('td', { class: 'num', text: ms(c.durationMs) }),
        h('td', { text: c.peer }),
        h('td', { 'data-field': 'metadata' }, md.length ? md : h('span', { class: 'muted', text: '\\u2013' })));
    });
    function button(name, label) {
      return h('button', { class: tab === name ? 'on' : null, onclick: function () { tab = name; if (last) draw(last); }, text: label });
    }
    return h('section', { class: 'card', id: 'rpcz' },
      h('div', { class: 'card-head' }, h('h2', { text: 'Calls' }), h('span', { class: 'meta', text: 'metadata secrets are redacted' })),
      h('div', { class: 'tabs' }, button('recent', 'Recent (' + rpcz.recent.length + ')'),
        button('slowest', 'Slowest, last ' + Math.round(rpcz.slowestWindowMs / 1000) + ' s (' + rpcz.slowest.length + ')')),
      rows.length ? h('div', { class: 'scroll' }, h('table', { 'data-field': 'rpcz-' + tab },
        h('thead', null, h('tr', null, h('th', { class: 'num', text: 'Started' }), manyServers ? h('th', { text: 'Server' }) : null,
          h('th', { text: 'Method' }), h('th', { text: 'Result' }), h('th', { class: 'num', text: 'Duration' }), h('th', { text: 'Peer' }),
          h('th', { text: 'Metadata' }))),
        h('tbody', null, rows))) : h('div', { class: 'empty', text: 'No calls yet.' }));
  }

  function draw(s) {
    var open = {};
    var details = app.querySelectorAll('details[id]');
    for (var i = 0; i < details.length; i++) open[details[i].id] = details[i].open;
    readyEl.replaceChildren(h('span', { class: s.ready.ready ? 'badge' : 'badge bad', 'data-field': 'ready', title: s.ready.reason,
      text: s.ready.ready ? 'READY' : 'NOT READY: ' + s.ready.reason }));
    procEl.textContent = 'pid ' + s.process.pid + ' \\u00b7 node ' + s.process.node + ' \\u00b7 up ' + age(s.process.uptimeSeconds) +
      ' \\u00b7 rss ' + bytes(s.process.rssBytes) + ' \\u00b7 heap ' + bytes(s.process.heapUsedBytes);
    var parts = s.servers.map(function (server) { return serverCard(server, s); });
    s.channels.forEach(function (ch) { parts.push(channelCard(ch)); });
    if (s.servers.length) parts.push(rpczCard(s.rpcz, s.servers.length > 1));
    if (!parts.length) parts.push(h('div', { class: 'card empty', text: 'Nothing to show: no server or channel was given to the admin endpoint.' }));
    app.replaceChildren.apply(app, parts);
    for (var id in open) { var d = document.getElementById(id); if (d) d.open = open[id]; }
  }

  function poll() {
    var started = Date.now();
    fetch('status.json', { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (s) {
        last = s;
        track(s);
        draw(s);
        banner.className = '';
        live.className = 'live';
        liveText.textContent = 'live \\u00b7 ' + clock(s.generatedAt);
      })
      .catch(function (e) {
        banner.className = 'on';
        banner.textContent = 'Cannot reach the admin endpoint (' + e.message + '); retrying every second. The numbers below are stale.';
        live.className = 'live stale';
        liveText.textContent = 'stale';
      })
      .then(function () { setTimeout(poll, Math.max(0, POLL_MS - (Date.now() - started))); });
  }
  poll();
})();
`;

const hash = (text: string): string => `'sha256-${nodeCrypto().createHash('sha256').update(text).digest('base64')}'`;

let csp: string | undefined;

/**
 * The page's Content-Security-Policy: only its own inline script and style (by hash), fetches to
 * its own origin, no framing. Computed on the first call: hashing needs node:crypto, which
 * importing the runtime must not load.
 */
export function statusPageCsp(): string {
  csp ??= [
    "default-src 'none'",
    `script-src ${hash(SCRIPT)}`,
    `style-src ${hash(STYLE)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return csp;
}

/** The page (see the module comment); the same bytes for every request. */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>skiff admin</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>skiff<small>admin</small></h1>
  <span id="ready"></span>
  <span class="proc" id="proc"></span>
  <span class="spacer"></span>
  <span class="live stale" id="live"><span class="dot"></span><span id="live-text">connecting</span></span>
</header>
<div id="banner" role="alert"></div>
<main id="app"><div class="card empty">Loading status...</div></main>
<footer>
  <a href="status.json">status.json</a><a href="metrics">metrics</a><a href="rpcz">rpcz</a><a href="healthz">healthz</a><a href="readyz">readyz</a>
</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
