// The burst dashboard: polls the admin API about once a second and draws what it answers.
//
// The token: from the link's fragment (#token=..., never sent to a server; burstctl ui prints such a link),
// else from this tab's sessionStorage, else asked for. It is sent only as "Authorization: Bearer ...", is
// removed from the address bar at once, and is never written to the console or into a URL.
//
// Calls, each second: GET /admin/stat (groups, workers, plugins, users), GET /admin/stat/history?since=T
// (the per-second samples not yet seen; all 15 minutes at first), GET /admin/operations?limit=50.
// Actions: POST /admin/reload, POST /admin/restart, PUT /admin/groups/{g}, POST /admin/clear.
// Data never goes through innerHTML: every cell is set with textContent.
(() => {
  'use strict';

  const TOKEN_KEY = 'burst.admin.token';
  const WINDOW_SECONDS = 900;
  const POLL_MS = 1000;
  const STALE_MS = 5000;
  const OPERATIONS = 50;
  const OUTCOMES = [
    ['ok', 'ok', '#1a9850'],
    ['handler_error', 'handler error', '#c62828'],
    ['rejected', 'rejected', '#e67e22'],
    ['timed_out', 'timed out', '#8e44ad'],
    ['lost', 'lost', '#6d4c41'],
    ['unknown_cmd', 'unknown cmd', '#90a4ae'],
  ];
  const WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];
  const MARK_COLOURS = { done: '#1a9850', failed: '#c62828', refused: '#e67e22', running: '#1f6feb' };

  const state = {
    token: null,
    timer: null,
    polling: false,
    lastSecond: 0,
    lastAnswer: 0,
    samples: new Map(), // second -> sample
    operations: [],
    tracked: new Map(), // operation id -> what the operator asked, until it ends
    charts: {},
  };

  const $ = (id) => document.getElementById(id);

  class Unauthorized extends Error {}

  // ---- formatting, for people -------------------------------------------------------------------

  function count(v) {
    if (v === null || v === undefined || Number.isNaN(v)) {
      return '–';
    }
    const a = Math.abs(v);
    const unit = (d, s) => {
      const x = v / d;
      return (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2)) + s;
    };
    if (a >= 1e9) {
      return unit(1e9, 'G');
    }
    if (a >= 1e6) {
      return unit(1e6, 'M');
    }
    if (a >= 1e3) {
      return unit(1e3, 'k');
    }
    if (Number.isInteger(v) || a >= 100) {
      return String(Math.round(v));
    }
    return a >= 10 ? v.toFixed(1) : v.toFixed(2).replace(/\.?0+$/, '') || '0';
  }

  function millis(v) {
    if (v === null || v === undefined || Number.isNaN(v)) {
      return '–';
    }
    if (v === 0) {
      return '0 ms';
    }
    if (v >= 1000) {
      return (v / 1000).toFixed(v >= 10000 ? 0 : 2) + ' s';
    }
    if (v >= 100) {
      return v.toFixed(0) + ' ms';
    }
    if (v >= 10) {
      return v.toFixed(1) + ' ms';
    }
    return v.toFixed(2) + ' ms';
  }

  function bytes(v) {
    if (v === null || v === undefined) {
      return '–';
    }
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    let x = v;
    while (x >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return (i === 0 ? String(x) : x.toFixed(x >= 100 ? 0 : 1)) + ' ' + units[i];
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) {
      return '–';
    }
    const s = Math.floor(seconds);
    if (s < 60) {
      return seconds < 10 ? seconds.toFixed(1) + ' s' : s + ' s';
    }
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (d > 0) {
      return d + 'd ' + h + 'h';
    }
    if (h > 0) {
      return h + 'h ' + m + 'm';
    }
    return m + 'm ' + (s % 60) + 's';
  }

  function clock(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? '–' : d.toLocaleTimeString([], { hour12: false });
  }

  // ---- DOM helpers ------------------------------------------------------------------------------

  function cell(text, cls, title) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) {
      td.className = cls;
    }
    if (title) {
      td.title = title;
    }
    return td;
  }

  function row(cells, attrs) {
    const tr = document.createElement('tr');
    cells.forEach((c) => tr.appendChild(c));
    Object.entries(attrs || {}).forEach(([k, v]) => tr.setAttribute(k, v));
    return tr;
  }

  function fill(tbody, rows) {
    tbody.replaceChildren(...rows);
  }

  function setText(id, text) {
    const e = $(id);
    if (e.textContent !== text) {
      e.textContent = text;
    }
  }

  // ---- the token --------------------------------------------------------------------------------

  function tokenFromFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const token = params.get('token');
    if (location.hash) {
      // out of the address bar, the history and any bookmark at once
      history.replaceState(null, '', location.pathname + location.search);
    }
    return token;
  }

  function showLogin(message) {
    stopPolling();
    $('dashboard').hidden = true;
    $('forget-token').hidden = true;
    $('login').hidden = false;
    setText('token-message', message || '');
    status('signed out', '');
    $('token-input').value = '';
    $('token-input').focus();
  }

  async function open(token, remembered) {
    state.token = token;
    let version;
    try {
      version = await api('GET', '/admin/version');
    } catch (e) {
      if (e instanceof Unauthorized) {
        sessionStorage.removeItem(TOKEN_KEY);
        state.token = null;
        showLogin(remembered
          ? 'The saved admin token was refused (HTTP 401): burst was restarted with a new one? Enter the token again.'
          : 'The admin token was refused (HTTP 401): wrong token. Check run/admin.token or burst.admin.token.');
        return;
      }
      state.token = null;
      showLogin('Cannot reach burst: ' + e.message + '. Try again once it runs.');
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    const v = version.body;
    setText('server', 'burst ' + v.burst + ' · java ' + v.java + ' · proxy pid ' + v.pid + ' · ' + location.host);
    $('login').hidden = true;
    $('dashboard').hidden = false;
    $('forget-token').hidden = false;
    ensureCharts();
    startPolling();
  }

  // ---- the admin API ----------------------------------------------------------------------------

  async function api(method, path, body) {
    const headers = { Accept: 'application/json', Authorization: 'Bearer ' + state.token };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (res.status === 401) {
      throw new Unauthorized('401');
    }
    let json = {};
    try {
      json = await res.json();
    } catch (e) {
      json = { error: 'HTTP ' + res.status + ' without a JSON body' };
    }
    return { status: res.status, ok: res.ok, body: json || {} };
  }

  // ---- polling ----------------------------------------------------------------------------------

  function startPolling() {
    stopPolling();
    state.polling = true;
    poll();
  }

  function stopPolling() {
    state.polling = false;
    if (state.timer) {
      clearTimeout(state.timer);
      state.timer = null;
    }
  }

  function status(text, cls) {
    const s = $('status');
    s.textContent = text;
    s.className = 'status ' + cls;
  }

  async function poll() {
    if (!state.polling) {
      return;
    }
    const started = Date.now();
    try {
      const [stat, history, operations] = await Promise.all([
        api('GET', '/admin/stat'),
        api('GET', '/admin/stat/history?since=' + state.lastSecond),
        api('GET', '/admin/operations?limit=' + OPERATIONS),
      ]);
      if (!state.polling) {
        return;
      }
      state.lastAnswer = Date.now();
      if (operations.ok) {
        state.operations = operations.body.operations || [];
      }
      if (history.ok) {
        addSamples(history.body.samples || []);
      }
      if (stat.ok) {
        render(stat.body, history.ok ? history.body.cmds || [] : []);
      }
      await followTracked();
      status('live', 'live');
    } catch (e) {
      if (e instanceof Unauthorized) {
        sessionStorage.removeItem(TOKEN_KEY);
        showLogin('The admin token was refused (HTTP 401): burst was restarted with a new one? Enter it again.');
        return;
      }
      const silent = Date.now() - state.lastAnswer;
      status(silent > STALE_MS ? 'cannot reach burst: ' + e.message : 'retrying', 'stale');
    }
    if (state.polling) {
      state.timer = setTimeout(poll, Math.max(100, POLL_MS - (Date.now() - started)));
    }
  }

  // ---- history and charts -----------------------------------------------------------------------

  function addSamples(samples) {
    samples.forEach((s) => {
      state.samples.set(s.t, s);
      state.lastSecond = Math.max(state.lastSecond, s.t);
    });
    for (const t of state.samples.keys()) {
      if (t <= state.lastSecond - WINDOW_SECONDS) {
        state.samples.delete(t);
      }
    }
  }

  /** Per-second rates of the sample's counts (a late sample spans more than a second). */
  function rate(s, field) {
    return (s[field] * 1000) / Math.max(1, s.span_ms);
  }

  function total(s) {
    return OUTCOMES.reduce((sum, [f]) => sum + rate(s, f), 0);
  }

  /** Columns for uPlot: every second of the window, null where no sample was taken (a gap). */
  function columns() {
    const end = state.lastSecond;
    const start = end - WINDOW_SECONDS + 1;
    const xs = [];
    const cols = {};
    const names = OUTCOMES.map(([f]) => f).concat(['p50_ms', 'p99_ms', 'users_online', 'push_delivered']);
    names.forEach((n) => { cols[n] = []; });
    const first = Math.min(...state.samples.keys());
    for (let t = Math.max(start, first); t <= end; t++) {
      const s = state.samples.get(t);
      xs.push(t);
      OUTCOMES.forEach(([f]) => cols[f].push(s ? rate(s, f) : null));
      cols.p50_ms.push(s ? s.p50_ms : null);
      cols.p99_ms.push(s ? s.p99_ms : null);
      cols.users_online.push(s ? s.users_online : null);
      cols.push_delivered.push(s ? rate(s, 'push_delivered') : null);
    }
    return { xs, cols };
  }

  function chartWidth(figure) {
    return Math.max(300, figure.clientWidth - 10);
  }

  /**
   * The last 15 minutes; while burst (or this page's history) is younger, the time there is, at least a
   * minute, so a fresh start is not a sliver at the right edge.
   */
  function windowRange(u, min, max) {
    const end = state.lastSecond || max || 0;
    const first = state.samples.size ? Math.min(...state.samples.keys()) : end;
    return [Math.max(end - WINDOW_SECONDS, Math.min(first, end - 60)), end];
  }

  /** Time axis labels: 24-hour clock, with seconds when the span is short. */
  function timeLabels(u, splits) {
    const span = u.scales.x.max - u.scales.x.min;
    const options = { hour12: false, hour: '2-digit', minute: '2-digit' };
    if (span <= 300) {
      options.second = '2-digit';
    }
    return splits.map((t) => new Date(t * 1000).toLocaleTimeString([], options));
  }

  /** Operations drawn as dashed vertical lines where they began, labelled kind and id. */
  function drawMarks(u) {
    const ctx = u.ctx;
    const ratio = uPlot.pxRatio;
    const min = u.scales.x.min;
    const max = u.scales.x.max;
    let drawn = 0;
    ctx.save();
    ctx.setLineDash([5 * ratio, 4 * ratio]);
    ctx.lineWidth = 1.5 * ratio;
    ctx.font = 11 * ratio + 'px system-ui, sans-serif';
    state.operations.forEach((op) => {
      const t = Date.parse(op.started) / 1000;
      if (!(t >= min && t <= max)) {
        return;
      }
      const x = Math.round(u.valToPos(t, 'x', true));
      const colour = MARK_COLOURS[op.state] || '#555';
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      // labels of nearby operations stagger over three lines rather than overwrite each other
      ctx.fillText(op.kind.replace('_workers', '').replace('change_group', 'resize') + ' #' + op.id, x + 3 * ratio,
        u.bbox.top + 11 * ratio * (1 + (drawn % 3)));
      drawn++;
    });
    ctx.restore();
    u.root.parentElement.dataset.marks = String(drawn);
  }

  function chart(figureId, series, axes, scales) {
    const figure = $(figureId);
    return new uPlot({
      width: chartWidth(figure),
      height: 210,
      scales: Object.assign({ x: { time: true, range: windowRange } }, scales),
      series: [{ value: (u, v) => (v === null ? '–' : new Date(v * 1000).toLocaleTimeString([], { hour12: false })) }]
        .concat(series),
      axes,
      cursor: { drag: { x: false, y: false } },
      hooks: { draw: [drawMarks] },
      legend: { live: true },
    }, [[]].concat(series.map(() => [])), figure);
  }

  function ensureCharts() {
    if (state.charts.throughput) {
      return;
    }
    const perSecond = { stroke: '#444', grid: { stroke: '#eceff3' }, size: 56, values: (u, vs) => vs.map(count) };
    const time = { stroke: '#444', grid: { stroke: '#eceff3' }, values: timeLabels, space: 90 };
    state.charts.throughput = chart('chart-throughput',
      OUTCOMES.map(([, label, colour]) => ({ label, stroke: colour, width: 1.5, value: (u, v) => count(v) })),
      [time, perSecond], { y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } });
    state.charts.latency = chart('chart-latency', [
      { label: 'p50', stroke: '#1f6feb', width: 1.5, value: (u, v) => millis(v) },
      { label: 'p99', stroke: '#b71c1c', width: 1.5, value: (u, v) => millis(v) },
    ], [time, { stroke: '#444', grid: { stroke: '#eceff3' }, size: 64, values: (u, vs) => vs.map(millis) }],
    { y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } });
    state.charts.users = chart('chart-users', [
      { label: 'users online', stroke: '#00838f', width: 1.5, scale: 'users', value: (u, v) => count(v) },
      { label: 'pushes delivered / s', stroke: '#6a1b9a', width: 1.5, scale: 'rate', value: (u, v) => count(v) },
    ], [time,
      Object.assign({}, perSecond, { scale: 'users', incrs: WHOLE }),
      Object.assign({}, perSecond, { scale: 'rate', side: 1, grid: { show: false }, incrs: WHOLE })],
    {
      users: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
      rate: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
    });
    window.addEventListener('resize', () => {
      Object.entries({ throughput: 'chart-throughput', latency: 'chart-latency', users: 'chart-users' })
        .forEach(([name, id]) => state.charts[name].setSize({ width: chartWidth($(id)), height: 210 }));
    });
  }

  function drawCharts() {
    if (state.samples.size === 0) {
      return;
    }
    const { xs, cols } = columns();
    state.charts.throughput.setData([xs].concat(OUTCOMES.map(([f]) => cols[f])));
    state.charts.latency.setData([xs, cols.p50_ms, cols.p99_ms]);
    state.charts.users.setData([xs, cols.users_online, cols.push_delivered]);
    const figure = $('chart-throughput');
    const newest = state.samples.get(state.lastSecond);
    figure.dataset.points = String(xs.filter((t) => state.samples.has(t)).length);
    figure.dataset.last = newest ? String(Math.round(total(newest))) : '0';
  }

  // ---- what stat says ---------------------------------------------------------------------------

  function render(stat, cmdRates) {
    setText('generation', String(stat.generation));
    setText('uptime', duration(stat.uptime_seconds));
    const newest = state.samples.get(state.lastSecond);
    if (newest) {
      const all = total(newest);
      const ok = rate(newest, 'ok');
      setText('rate-total', count(all));
      setText('rate-ok', count(ok));
      setText('rate-errors', count(all - ok));
      setText('p50', millis(newest.p50_ms));
      setText('p99', millis(newest.p99_ms));
      setText('push-rate', count(rate(newest, 'push_delivered')));
    }
    setText('pending', count(stat.pending_tasks));
    setText('busy', stat.busy_workers + ' of ' + stat.workers);
    setText('users-online', count(stat.users ? stat.users.users_online : 0));
    drawCharts();
    renderGroups(stat);
    renderCmds(stat, cmdRates);
    renderWorkers(stat.workers_detail || []);
    renderPlugins(stat.plugins || { files: [] });
    renderUsers(stat.users, newest);
    renderOperations();
  }

  function renderGroups(stat) {
    const tbody = $('groups-table').tBodies[0];
    const groups = stat.groups || {};
    const names = Object.keys(groups);
    // rows are kept (not rebuilt) so that a size being typed in survives the next second
    Array.from(tbody.rows).forEach((tr) => {
      if (!names.includes(tr.dataset.group)) {
        tr.remove();
      }
    });
    names.forEach((name) => {
      const g = groups[name];
      let tr = Array.from(tbody.rows).find((r) => r.dataset.group === name);
      if (!tr) {
        tr = groupRow(name);
        tbody.appendChild(tr);
      }
      const c = tr.cells;
      c[1].textContent = g.ready_workers + ' / ' + g.busy_workers + ' / ' + g.idle_workers
        + (g.degraded ? ' (degraded: ' + (g.degraded_reason || '') + ')' : '');
      const input = c[2].querySelector('input');
      input.max = String(g.max_workers);
      if (document.activeElement !== input && !input.dataset.edited) {
        input.value = String(g.workers);
      }
      c[3].textContent = count(g.pending_tasks) + ' of ' + count(g.max_pending);
      c[4].textContent = count(g.rejects);
      c[5].textContent = count(g.discard_tasks);
      c[6].textContent = count(g.timeouts);
      c[7].textContent = count(g.workers_lost);
      c[8].textContent = millis(g.latency_ms ? g.latency_ms.p99 : null);
    });
  }

  function groupRow(name) {
    const input = document.createElement('input');
    input.type = 'number';
    input.min = '0';
    input.className = 'group-size';
    input.addEventListener('input', () => { input.dataset.edited = '1'; });
    const resize = document.createElement('button');
    resize.type = 'button';
    resize.textContent = 'Resize';
    resize.className = 'btn-resize';
    resize.addEventListener('click', () => changeGroup(name, input));
    const sizeCell = cell('');
    sizeCell.append(input, ' ', resize);
    const clear = document.createElement('button');
    clear.type = 'button';
    clear.textContent = 'Clear queue';
    clear.className = 'btn-clear';
    clear.addEventListener('click', () => clearQueue(name));
    const clearCell = cell('');
    clearCell.appendChild(clear);
    return row([cell(name), cell('', 'num'), sizeCell, cell('', 'num'), cell('', 'num'), cell('', 'num'),
      cell('', 'num'), cell('', 'num'), cell('', 'num'), clearCell], { 'data-group': name });
  }

  function renderCmds(stat, cmdRates) {
    const since = stat.cmds || {};
    fill($('cmds-table').tBodies[0], cmdRates.map((c) => {
      const all = since[String(c.cmd)];
      return row([cell(String(c.cmd), 'num'), cell(c.name || '–'), cell(c.group), cell(count(c.per_second), 'num'),
        cell(count(c.errors_per_second), 'num'), cell(millis(c.p99_ms), 'num'),
        cell(millis(all && all.latency_ms ? all.latency_ms.p99 : null), 'num')], { 'data-cmd': String(c.cmd) });
    }));
  }

  function renderWorkers(workers) {
    fill($('workers-table').tBodies[0], workers.map((w) => row([
      cell(w.group), cell(String(w.slot), 'num'), cell(String(w.pid), 'num pid'), cell(w.state),
      cell(String(w.generation), 'num'), cell(duration(w.uptime_seconds), 'num'), cell(count(w.tasks), 'num'),
      cell(String(w.restarts), 'num'), cell(bytes(w.rss_bytes), 'num'),
    ], { 'data-pid': String(w.pid) })));
  }

  function renderPlugins(plugins) {
    setText('plugins-generation', String(plugins.generation));
    fill($('plugins-table').tBodies[0], (plugins.files || []).map((f) => {
      const name = String(f.source).split('/').pop();
      return row([cell(f.plugin), cell(name, '', f.source), cell(bytes(f.size), 'num'),
        cell(f.sha256.slice(0, 16) + '…', 'sha', f.sha256)]);
    }));
  }

  function renderUsers(users, newest) {
    if (!users) {
      return;
    }
    const pushes = users.pushes || {};
    const lines = [
      ['users online', count(users.users_online)],
      ['connections (Box, WebSocket)', count(users.connections)],
      ['logins / logouts / kicks', count(users.logins) + ' / ' + count(users.logouts) + ' / ' + count(users.kicks)],
      ['pushes asked / s', newest ? count(rate(newest, 'pushes')) : '–'],
      ['delivered / offline / dropped per s', newest
        ? count(rate(newest, 'push_delivered')) + ' / ' + count(rate(newest, 'push_offline')) + ' / '
          + count(rate(newest, 'push_dropped')) : '–'],
      ['pushes since start: delivered / offline / dropped', count(pushes.delivered) + ' / ' + count(pushes.offline)
        + ' / ' + count(pushes.dropped_slow)],
    ];
    fill($('users-table').tBodies[0], lines.map(([k, v]) => row([cell(k), cell(v, 'num')])));
  }

  function renderOperations() {
    const newestFirst = state.operations.slice().reverse();
    fill($('operations-table').tBodies[0], newestFirst.map((o) => row([
      cell(String(o.id), 'num'), cell(o.kind), cell(o.trigger), cell(o.state), cell(clock(o.started)),
      cell(o.duration_ms === null ? 'running' : millis(o.duration_ms), 'num'), cell(o.outcome || '', 'wrap'),
    ], { class: 'state-' + o.state, 'data-operation': String(o.id) })));
  }

  // ---- actions ----------------------------------------------------------------------------------

  function result(text, cls) {
    const r = $('action-result');
    r.textContent = text;
    r.className = cls;
  }

  function ended(op) {
    return op.state !== 'running';
  }

  function describe(op) {
    return op.kind + ' #' + op.id + ': ' + op.state + (op.duration_ms !== null ? ' in ' + millis(op.duration_ms) : '')
      + (op.outcome ? ' — ' + op.outcome : '');
  }

  /** Actions answered 202 are followed through GET /admin/operations/{id} until they end. */
  async function followTracked() {
    for (const [id, what] of state.tracked) {
      const reply = await api('GET', '/admin/operations/' + id);
      if (!reply.ok) {
        continue;
      }
      const op = reply.body;
      if (ended(op)) {
        state.tracked.delete(id);
        result(what + ' — ' + describe(op), op.state === 'done' ? 'ok' : 'failed');
      } else {
        result(what + ' — operation #' + id + ' running…', 'running');
      }
    }
  }

  async function act(button, question, run) {
    if (!window.confirm(question)) {
      return;
    }
    button.disabled = true;
    try {
      await run();
    } catch (e) {
      if (e instanceof Unauthorized) {
        showLogin('The admin token was refused (HTTP 401). Enter it again.');
      } else {
        result('Cannot reach burst: ' + e.message, 'failed');
      }
    } finally {
      button.disabled = false;
    }
  }

  function accepted(reply, what) {
    if (reply.status === 202 && reply.body.operation !== undefined) {
      state.tracked.set(reply.body.operation, what);
      result(what + ' — accepted as operation #' + reply.body.operation + ', running…', 'running');
    } else if (reply.status === 202) {
      result(what + ' — accepted', 'ok');
    } else {
      result(what + ' — ' + (reply.status === 409 ? 'refused' : 'failed') + ': '
        + (reply.body.error || 'HTTP ' + reply.status), 'failed');
    }
  }

  function reload() {
    const button = $('btn-reload');
    act(button, 'Reload the plugins?\n\nburst takes plugins/ as a new generation; one canary worker per group swaps'
      + ' first, then the others one at a time. A plugin that fails leaves the serving generation everywhere.',
    async () => {
      result('reload — running…', 'running');
      const reply = await api('POST', '/admin/reload');
      const b = reply.body;
      const op = b.operation || {};
      const lines = [];
      if (b.ok) {
        lines.push('reload #' + op.id + ': done — generation ' + b.generation + ' serving');
        lines.push(b.summary || op.outcome || '');
      } else if (op.state === 'refused') {
        lines.push('reload #' + op.id + ': refused — ' + (op.outcome || b.summary || ''));
      } else if (op.id !== undefined) {
        lines.push('reload #' + op.id + ': ' + op.state + ' — generation ' + b.generation + ' still serving');
        lines.push(b.summary || op.outcome || '');
        (b.failures || []).forEach((f) => lines.push('• ' + f));
      } else {
        lines.push('reload: failed — ' + (b.error || 'HTTP ' + reply.status));
      }
      result(lines.filter((l) => l).join('\n'), b.ok ? 'ok' : op.state === 'refused' ? 'refused' : 'failed');
    });
  }

  function restart() {
    const button = $('btn-restart');
    act(button, 'Restart every worker?\n\nEach is replaced in turn: the new process starts, then the old one finishes'
      + ' its task and stops.', async () => {
      accepted(await api('POST', '/admin/restart'), 'restart workers');
    });
  }

  function changeGroup(name, input) {
    const n = Number(input.value);
    if (input.value === '' || !Number.isInteger(n) || n < 0 || n > Number(input.max)) {
      result('resize ' + name + ': the size must be a whole number from 0 to ' + input.max, 'failed');
      return;
    }
    act(input, 'Change group ' + name + ' to ' + n + ' worker(s)?', async () => {
      delete input.dataset.edited;
      accepted(await api('PUT', '/admin/groups/' + encodeURIComponent(name), { workers: n }),
        'resize ' + name + ' to ' + n);
    });
  }

  function clearQueue(name) {
    const button = Array.from($('groups-table').tBodies[0].rows).find((r) => r.dataset.group === name)
      .querySelector('.btn-clear');
    act(button, 'Clear the queue of group ' + name + '?\n\nEvery queued task is answered -10002 (overloaded).',
      async () => {
        const reply = await api('POST', '/admin/clear', { group: name });
        if (reply.ok) {
          result('clear ' + name + ': ' + reply.body.cleared + ' queued task(s) answered -10002', 'ok');
        } else {
          result('clear ' + name + ': failed — ' + (reply.body.error || 'HTTP ' + reply.status), 'failed');
        }
      });
  }

  // ---- start ------------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const token = $('token-input').value.trim();
      if (!token) {
        setText('token-message', 'Enter the admin token.');
        return;
      }
      open(token, false);
    });
    $('forget-token').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      state.token = null;
      showLogin('The token was forgotten in this tab.');
    });
    $('btn-reload').addEventListener('click', reload);
    // a link pasted into a tab that shows the page already changes only the fragment: no new page load
    window.addEventListener('hashchange', () => {
      const token = tokenFromFragment();
      if (token) {
        open(token, false);
      }
    });
    $('btn-restart').addEventListener('click', restart);
    const fromLink = tokenFromFragment();
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (fromLink) {
      open(fromLink, false);
    } else if (saved) {
      open(saved, true);
    } else {
      showLogin('');
    }
  });
})();
