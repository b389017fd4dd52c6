import { t, translate, switchLanguage, language } from './i18n.js';

// State of this browser tab: the session (CSRF token, role, node's time zone) and the page shown.
let session = null;
let refreshTimer = null;
const $ = (id) => document.getElementById(id);

class ApiError extends Error {
  constructor(status, body) { super(body?.error ?? `HTTP ${status}`); this.status = status; this.body = body; }
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session) headers['X-CSRF-Token'] = session.csrfToken;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, { error: t('error.network') });
  }
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/login') { session = null; showMessage(t('error.session')); route(); }
    throw new ApiError(response.status, json);
  }
  return json;
}

// Dates in the node's local time, with its zone named, whatever the laptop's zone is.
function formatTime(iso) {
  if (!iso) return t('none');
  const date = new Date(iso);
  const options = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZoneName: 'short' };
  try {
    return new Intl.DateTimeFormat(language() === 'zh' ? 'zh-CN' : 'en-GB', { ...options, timeZone: session?.timeZone }).format(date);
  } catch {
    const offset = session?.utcOffsetMinutes ?? 0;
    const shifted = new Date(date.getTime() + offset * 60000).toISOString().replace('T', ' ').slice(0, 19);
    const sign = offset < 0 ? '-' : '+';
    return `${shifted} UTC${sign}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
  }
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value; else if (key.startsWith('on')) node.addEventListener(key.slice(2), value); else node.setAttribute(key, value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  return node;
}

function stateSpan(state) {
  const label = state ? t(`state.${state}`) : t('unknown');
  return el('span', { class: `state-${state ?? 'unknown'}` }, label.startsWith('state.') ? state : label);
}

function fillList(dl, rows) { dl.replaceChildren(...rows.flatMap(([label, value]) => [el('dt', {}, t(label)), el('dd', {}, value ?? t('none'))])); }

function fillTable(table, heads, rows) {
  table.replaceChildren(el('thead', {}, el('tr', {}, heads.map((h) => el('th', {}, t(h))))), el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) => el('td', {}, c))))));
}

function showMessage(text) { const box = $('message'); box.textContent = text ?? ''; box.hidden = !text; }

function describeError(error) {
  if (error.status === 0) return t('error.network');
  const hint = error.body?.hint ? ` — ${error.body.hint}` : '';
  return error.body?.error ? `${error.body.error}${hint}` : t('error.server', { status: error.status });
}

function valueText(point) {
  if (point.value === null || point.value === undefined) return point.reason ?? point.error ?? t('none');
  return `${point.value}${point.unit ? ` ${point.unit}` : ''}`;
}

const views = {
  async status() {
    const [status, devices] = await Promise.all([api('GET', '/api/status'), api('GET', '/api/devices')]);
    const up = status.uplink ?? {};
    fillList($('status-uplink'), [['f.state', stateSpan(up.state)], ['f.broker', up.broker], ['f.since', formatTime(up.since)], ['f.lastError', up.lastError]]);
    const store = status.store ?? {};
    fillList($('status-store'), [
      ['f.pending', `${store.pendingReadings ?? 0} ${t('f.readings')}, ${store.pendingEvents ?? 0} ${t('f.events')}`],
      ['f.dropped', `${store.droppedReadings ?? 0} ${t('f.readings')}, ${store.droppedEvents ?? 0} ${t('f.events')}`],
      ['f.storeWrites', stateSpan(store.writes?.state)], ['f.lastSeq', store.lastSeq]]);
    const clock = status.clock ?? {};
    fillList($('status-clock'), [['f.synchronized', clock.synchronized ? t('yes') : t('no')], ['f.trusted', clock.trusted ? t('yes') : t('no')], ['f.nodeTime', formatTime(status.ts)]]);
    fillList($('status-node'), [['f.node', status.node], ['f.site', status.site], ['f.version', status.version], ['f.uptime', `${Math.round((status.uptimeSeconds ?? 0) / 60)} min`]]);
    fillTable($('status-devices'), ['f.device', 'f.type', 'f.health', 'f.values'], devices.devices.map((d) => [d.id, d.type, stateSpan(d.health?.state), d.latest.map((p) => `${p.point} ${valueText(p)}`).join(' · ') || t('none')]));
    fillTable($('status-components'), ['f.component', 'f.state', 'f.failures', 'f.lastError'], (status.components ?? []).map((c) => [c.name, stateSpan(c.state), c.failures, c.lastError ?? t('none')]));
    $('status-refreshed').textContent = formatTime(new Date().toISOString());
  },

  async devices() {
    const { devices } = await api('GET', '/api/devices');
    if (devices.length === 0) { fillTable($('devices-table'), ['f.device'], [[t('devices.none')]]); return; }
    fillTable($('devices-table'), ['f.device', 'f.type', 'f.endpoint', 'f.health', ''], devices.map((d) => [
      d.id, d.type, d.endpoint ? `${d.endpoint} #${d.unitId}` : t('none'), stateSpan(d.health?.state),
      el('button', { type: 'button', 'data-device': d.id, onclick: (e) => readNow(d.id, e.currentTarget) }, t('devices.read'))]));
  },

  async cameras() {
    const body = $('cameras-body');
    try {
      const { cameras } = await api('GET', '/api/cameras');
      body.replaceChildren(...cameras.map((c) => el('div', {}, el('h2', {}, c.id ?? ''), el('img', { src: `/api/cameras/${encodeURIComponent(c.id)}/snapshot`, alt: c.id ?? '' }))));
    } catch (error) {
      if (error.status !== 503) throw error;
      const configured = error.body?.configured ?? [];
      body.replaceChildren(el('p', {}, t('cameras.missing')), configured.length ? el('p', { class: 'hint' }, `${t('cameras.configured')} ${configured.join(', ')}`) : '');
    }
  },

  async config() {
    const { version, config } = await api('GET', '/api/config');
    $('config-version').textContent = version;
    $('config-text').value = JSON.stringify(config, null, 2);
    const technician = session.role === 'technician';
    $('config-apply').hidden = !technician;
    $('config-text').readOnly = !technician;
    $('config-viewer').hidden = technician;
    $('config-result').hidden = true;
  },

  async audit() {
    const { entries } = await api('GET', '/api/audit');
    if (entries.length === 0) { fillTable($('audit-table'), ['f.time'], [[t('audit.none')]]); return; }
    fillTable($('audit-table'), ['f.time', 'f.user', 'f.via', 'f.version', 'f.result', 'f.diff'], entries.map((e) => [
      formatTime(e.ts), e.by, e.via, el('code', {}, String(e.version ?? '').slice(0, 12)), stateSpan(e.result), el('code', {}, typeof e.diff === 'string' ? e.diff : JSON.stringify(e.diff))]));
  },

  async logs() {
    const { lines } = await api('GET', '/api/logs?limit=300');
    $('logs-text').textContent = lines.map((l) => `${formatTime(l.ts)} ${l.level.padEnd(11)} [${l.eventId}] ${l.message}`).join('\n');
  },
};

async function readNow(id, button) {
  button.disabled = true;
  button.textContent = t('devices.reading');
  const box = $('read-result');
  try {
    const result = await api('POST', `/api/devices/${encodeURIComponent(id)}/read`, {});
    const read = result.source === 'read';
    const table = el('table', { id: 'read-table' });
    fillTable(table, read ? ['f.point', 'f.value', 'f.raw', 'f.address', 'f.error'] : ['f.point', 'f.value', 'f.time'],
      result.points.map((p) => read ? [p.point, valueText(p), el('code', {}, p.raw ?? t('none')), `${p.table} ${p.address} (${p.type})`, p.error ?? ''] : [p.point, valueText(p), formatTime(p.ts)]));
    box.replaceChildren(el('h2', {}, `${id} — ${read ? `${t('devices.readAt')} ${formatTime(result.readAt)}` : t('devices.latest')}`), table);
  } catch (error) {
    box.replaceChildren(el('p', { class: 'error' }, describeError(error)));
  } finally {
    box.hidden = false;
    button.disabled = false;
    button.textContent = t('devices.read');
  }
}

async function applyConfig() {
  const result = $('config-result');
  const button = $('config-apply');
  let config;
  try {
    config = JSON.parse($('config-text').value);
  } catch (error) {
    result.className = 'error';
    result.textContent = t('config.notJson', { message: error.message });
    result.hidden = false;
    return;
  }
  button.disabled = true;
  result.className = 'hint';
  result.textContent = t('config.applying');
  result.hidden = false;
  try {
    const reply = await api('PUT', '/api/config', { version: $('config-version').textContent, config });
    await views.config();
    result.className = 'ok';
    result.textContent = t(reply.restarted === 'host' ? 'config.appliedHost' : 'config.applied', { version: reply.version });
  } catch (error) {
    result.className = 'error';
    const paths = (error.body?.errors ?? []).map(e => `${e.path || '/'}: ${e.message}`);
    result.textContent = [describeError(error), ...paths].join('\n');
  } finally {
    result.hidden = false;
    button.disabled = false;
  }
}

function show(name) {
  for (const view of document.querySelectorAll('.view')) view.hidden = view.id !== `view-${name}`;
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('active', link.getAttribute('href') === `#/${name}`);
}

async function route() {
  clearInterval(refreshTimer);
  const loggedIn = session !== null;
  $('nav').hidden = !loggedIn;
  $('logout').hidden = !loggedIn;
  $('who').textContent = loggedIn ? `${session.user} (${session.role})` : '';
  $('node').textContent = loggedIn ? session.node : '';
  if (!loggedIn) { show('login'); return; }
  const name = (location.hash.replace(/^#\//, '') || 'status');
  const view = views[name] ? name : 'status';
  show(view);
  const load = async () => {
    try { await views[view](); } catch (error) { if (error.status !== 401) showMessage(describeError(error)); }
  };
  await load();
  if (view === 'status') refreshTimer = setInterval(load, 5000);
}

async function login(event) {
  event.preventDefault();
  const error = $('login-error');
  error.hidden = true;
  try {
    session = await api('POST', '/api/login', { user: $('login-user').value, password: $('login-password').value });
    $('login-password').value = '';
    showMessage(null);
    await route();
  } catch (e) {
    error.textContent = e.status === 429 ? t('login.locked', { min: Math.ceil((e.body?.retryAfterSeconds ?? 900) / 60) })
      : e.body?.noUsers ? t('login.noUsers') : e.status === 401 ? t('login.wrong') : describeError(e);
    error.hidden = false;
  }
}

async function logout() {
  try { await api('POST', '/api/logout', {}); } catch { /* the session is gone either way */ }
  session = null;
  await route();
}

async function start() {
  translate();
  $('lang').addEventListener('click', () => { switchLanguage(); route(); });
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('config-apply').addEventListener('click', applyConfig);
  window.addEventListener('hashchange', () => { showMessage(null); route(); });
  try { session = await api('GET', '/api/session'); } catch { session = null; }
  showMessage(null);
  await route();
}

start();
