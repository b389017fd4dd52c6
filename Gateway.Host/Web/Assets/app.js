import { t, has, translate, switchLanguage, language } from './i18n.js';

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

// The API answers in English with a stable code; the page says it in its own language when it
// knows the code, and the server's English otherwise (a code newer than this page).
function describeError(error) {
  if (error.status === 0) return t('error.network');
  const code = error.body?.code;
  if (code && has(`code.${code}`) && (language() !== 'en' || !error.body?.error)) return t(`code.${code}`);
  const hint = error.body?.hint ? ` — ${error.body.hint}` : '';
  return error.body?.error ? `${error.body.error}${hint}` : t('error.server', { status: error.status });
}

// The apply path's diff (secrets already masked by the node): setting, running value, edited value.
function fillDiff(table, diff) {
  const show = (value) => (value === null || value === undefined ? t('none') : JSON.stringify(value));
  fillTable(table, ['f.path', 'f.before', 'f.after'], diff.length === 0 ? [[t('config.noChanges'), '', '']]
    : diff.map((d) => [el('code', {}, d.path), el('code', { class: 'diff-old' }, show(d.old)), el('code', { class: 'diff-new' }, show(d.new))]));
}

function errorLines(errors) { return (errors ?? []).map((e) => `${e.path || '/'}: ${e.message}`); }

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

  // keepMessage: the reload after an apply or delete, which keeps what it said.
  async devices(keepMessage = false) {
    const { devices } = await api('GET', '/api/devices');
    const technician = session.role === 'technician';
    $('device-add').hidden = !technician;
    $('device-editor').hidden = true;
    if (!keepMessage) { $('device-result').hidden = true; $('read-result').hidden = true; }
    if (devices.length === 0) { fillTable($('devices-table'), ['f.device'], [[t('devices.none')]]); return; }
    fillTable($('devices-table'), ['f.device', 'f.type', 'f.endpoint', 'f.health', ''], devices.map((d) => [
      d.id, d.type, d.endpoint ? `${d.endpoint} #${d.unitId}` : t('none'), stateSpan(d.health?.state),
      el('span', { class: 'buttons' },
        el('button', { type: 'button', 'data-device': d.id, onclick: (e) => readNow(d.id, e.currentTarget) }, t('devices.read')),
        technician ? el('button', { type: 'button', class: 'secondary', 'data-edit-device': d.id, onclick: () => { openDeviceEditor(d.id).catch((error) => deviceMessage(describeError(error), 'error')); } }, t('edit.edit')) : null,
        technician ? el('button', { type: 'button', class: 'secondary', 'data-delete-device': d.id, onclick: () => deleteDevice(d.id) }, t('edit.delete')) : null)]));
  },

  // keep: the refresh button's reload, which keeps the edit in progress and the last message.
  async cameras(keep = false) {
    const body = $('cameras-body');
    let cameras;
    try {
      ({ cameras } = await api('GET', '/api/cameras'));
    } catch (error) {
      if (error.status !== 503) throw error;
      $('camera-detail').hidden = true;
      const configured = error.body?.configured ?? [];
      body.replaceChildren(el('p', {}, t('cameras.missing')), configured.length ? el('p', { class: 'hint' }, `${t('cameras.configured')} ${configured.join(', ')}`) : '');
      return;
    }
    if (cameras.length === 0) {
      $('camera-detail').hidden = true;
      body.replaceChildren(el('p', {}, t('cameras.none')));
      return;
    }
    const selected = cameras.find((c) => c.id === cameraEditor.camera?.id) ?? cameras[0];
    const table = el('table', { id: 'cameras-table' });
    fillTable(table, ['f.camera', 'f.state', 'f.fps', 'f.analysisFps', 'f.size', 'f.zones', ''], cameras.map((c) => [
      c.id, stateSpan(c.state), `${c.fps} / ${c.askedFps}`, c.analysisFps, `${c.width}×${c.height}`,
      c.zones.map((z) => `${z.name}${z.persons !== undefined ? ` (${z.persons})` : ''}`).join(', ') || t('none'),
      el('button', { type: 'button', class: 'small secondary', 'data-camera': c.id, onclick: () => { selectCamera(c); } }, t('cameras.show'))]));
    for (const row of table.querySelectorAll('tbody tr')) row.classList.toggle('selected', row.firstChild.textContent === selected.id);
    body.replaceChildren(table, cameras.some((c) => c.lastError) ? el('p', { class: 'hint' }, cameras.filter((c) => c.lastError).map((c) => `${c.id}: ${c.lastError}`).join(' · ')) : '');
    selectCamera(selected, keep);
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
    $('config-check').hidden = true;
    configCheck.version = version;
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

// The zone editor: the camera shown, the zones as the technician is editing them (frame pixels),
// and the corners placed so far for a new zone. Nothing reaches the node before "apply".
const cameraEditor = { camera: null, zones: [], points: [], edited: false, stillUrl: null };
const svgNs = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(svgNs, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function selectCamera(camera, keepEdits = false) {
  const technician = session.role === 'technician';
  const same = cameraEditor.camera?.id === camera.id;
  cameraEditor.camera = camera;
  if (!(same && keepEdits && cameraEditor.edited)) {
    cameraEditor.zones = camera.zones.map((z) => ({ name: z.name, kind: z.kind, points: z.points.map((p) => [...p]), persons: z.persons }));
    cameraEditor.points = [];
    cameraEditor.edited = false;
  } else {
    for (const zone of cameraEditor.zones) zone.persons = camera.zones.find((z) => z.name === zone.name && z.kind === zone.kind)?.persons;
  }
  $('camera-detail').hidden = false;
  $('camera-title').textContent = camera.id;
  $('zone-editor').hidden = !technician;
  $('camera-frame').classList.toggle('editing', technician);
  $('camera-overlay').setAttribute('viewBox', `0 0 ${camera.width} ${camera.height}`);
  for (const row of document.querySelectorAll('#cameras-table tbody tr')) row.classList.toggle('selected', row.firstChild.textContent === camera.id);
  if (!same || !keepEdits) $('zones-result').hidden = true;
  drawZones();
  loadStill();
}

async function loadStill() {
  const camera = cameraEditor.camera;
  const note = $('camera-still-note');
  const image = $('camera-still');
  let response;
  try {
    response = await fetch(`/api/cameras/${encodeURIComponent(camera.id)}/snapshot`, { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    note.textContent = t('error.network');
    note.hidden = false;
    return;
  }
  if (camera !== cameraEditor.camera) return;
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    if (response.status === 401) { session = null; showMessage(t('error.session')); route(); return; }
    // No picture yet: a blank frame of the camera's size, so zones can still be seen and drawn.
    image.src = `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="${camera.width}" height="${camera.height}"/>`)}`;
    note.textContent = describeError(new ApiError(response.status, body));
    note.hidden = false;
    $('camera-still-ts').textContent = '';
    return;
  }
  const blob = await response.blob();
  if (cameraEditor.stillUrl) URL.revokeObjectURL(cameraEditor.stillUrl);
  cameraEditor.stillUrl = URL.createObjectURL(blob);
  image.src = cameraEditor.stillUrl;
  note.hidden = true;
  $('camera-still-ts').textContent = camera.stillTs ? `${t('cameras.stillAt')} ${formatTime(camera.stillTs)}` : '';
}

function drawZones() {
  const camera = cameraEditor.camera;
  const overlay = $('camera-overlay');
  const size = Math.max(camera.width, camera.height);
  const shapes = [];
  for (const zone of cameraEditor.zones) {
    shapes.push(svg('polygon', { class: `zone ${zone.kind}`, points: zone.points.map((p) => p.join(',')).join(' '), 'data-zone': zone.name }));
    const [x, y] = zone.points[0];
    shapes.push(svg('text', { class: 'zone-label', x, y: y + size / 40, 'font-size': size / 40 }, zone.persons !== undefined ? `${zone.name}: ${zone.persons}` : zone.name));
  }
  const draft = cameraEditor.points;
  if (draft.length > 0) {
    shapes.push(svg(draft.length > 2 ? 'polygon' : 'polyline', { class: 'zone draft', points: draft.map((p) => p.join(',')).join(' ') }));
    for (const [x, y] of draft) shapes.push(svg('circle', { class: 'vertex', cx: x, cy: y, r: size / 160 }));
  }
  overlay.replaceChildren(...shapes);
  $('zone-points').textContent = t('zones.points', { n: draft.length });
  $('zone-undo').disabled = draft.length === 0;
  fillTable($('camera-zones'), ['f.zone', 'f.kind', 'f.points', 'f.persons', ''], cameraEditor.zones.map((zone, index) => [
    zone.name, t(`zones.${zone.kind}`), el('code', {}, zone.points.map((p) => `[${p.join(', ')}]`).join(' ')), zone.persons ?? t('none'),
    session.role === 'technician' ? el('button', { type: 'button', class: 'small secondary', 'data-delete-zone': zone.name, onclick: () => deleteZone(index) }, t('zones.delete')) : '']));
}

// A click on the picture, whatever size the browser shows it at, is a point of the analysis frame.
function placePoint(event) {
  if (session?.role !== 'technician' || !cameraEditor.camera) return;
  const box = $('camera-overlay').getBoundingClientRect();
  const { width, height } = cameraEditor.camera;
  const x = Math.round(Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1) * width);
  const y = Math.round(Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1) * height);
  cameraEditor.points.push([x, y]);
  drawZones();
}

function zoneMessage(text, kind) {
  const result = $('zones-result');
  result.className = kind;
  result.textContent = text;
  result.hidden = false;
}

function addZone() {
  const name = $('zone-name').value.trim();
  const kind = $('zone-kind').value;
  if (cameraEditor.points.length < 3) { zoneMessage(t('zones.needPoints'), 'error'); return; }
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) { zoneMessage(t('zones.badName'), 'error'); return; }
  if (cameraEditor.zones.some((z) => z.name === name && z.kind === kind)) { zoneMessage(t('zones.duplicate', { name }), 'error'); return; }
  cameraEditor.zones.push({ name, kind, points: cameraEditor.points });
  cameraEditor.points = [];
  cameraEditor.edited = true;
  $('zone-name').value = '';
  zoneMessage(t('zones.added', { name }), 'hint');
  drawZones();
}

function deleteZone(index) {
  cameraEditor.zones.splice(index, 1);
  cameraEditor.edited = true;
  zoneMessage(t('zones.deleted'), 'hint');
  drawZones();
}

/**
 * The camera's zones into the configuration: the whole cameras array (a merge patch replaces
 * arrays whole) with this camera's crowd and litter zones as edited; each zone keeps the settings
 * it had (alert thresholds), a new one takes the defaults. A kind with no zone left loses its section.
 */
function camerasWithZones(config, camera, zones) {
  const cameras = structuredClone(config.cameras ?? []);
  const entry = cameras.find((c) => c.id === camera.id);
  if (!entry) throw new Error(t('zones.notConfigured', { id: camera.id }));
  const models = (config.models ?? []).map((m) => m.id);
  for (const kind of ['crowd', 'litter']) {
    const mine = zones.filter((z) => z.kind === kind);
    if (mine.length === 0) { delete entry[kind]; continue; }
    const section = entry[kind] ?? { model: entry.crowd?.model ?? entry.litter?.model ?? models[0] };
    if (kind === 'litter' && !section.classes) section.classes = ['bottle', 'cup', 'handbag', 'backpack', 'suitcase'];
    const before = new Map((section.zones ?? []).map((z) => [z.name, z]));
    section.zones = mine.map((z) => ({ ...(before.get(z.name) ?? {}), name: z.name, polygon: z.points }));
    entry[kind] = section;
  }
  return cameras;
}

async function applyZones() {
  const button = $('zones-apply');
  button.disabled = true;
  zoneMessage(t('config.applying'), 'hint');
  try {
    const { version, config } = await api('GET', '/api/config');
    const cameras = camerasWithZones(config, cameraEditor.camera, cameraEditor.zones);
    const reply = await api('PUT', '/api/config', { version, patch: { cameras } });
    cameraEditor.edited = false;
    if (reply.restarted === 'host') {
      zoneMessage(t('zones.appliedHost', { version: reply.version }), 'ok');
      await waitForVersion(reply.version);
      zoneMessage(t('config.applied', { version: reply.version }), 'ok');
    } else {
      zoneMessage(t('config.applied', { version: reply.version }), 'ok');
    }
    if (session) await views.cameras(true);
  } catch (error) {
    zoneMessage(error instanceof ApiError ? [describeError(error), ...errorLines(error.body?.errors)].join('\n') : error.message, 'error');
  } finally {
    button.disabled = false;
  }
}

// After a change that restarts the gateway: ask until it answers again (about ten seconds on a pole).
// After a change that restarts the gateway (in the same process, a few seconds): ask until the
// configuration in force is the new one. The login survives the restart (the sessions are handed
// over); a 401 means the gateway process itself was restarted meanwhile.
async function waitForVersion(version) {
  for (let attempt = 0; attempt < 90; attempt++) {
    await new Promise((resolve) => { setTimeout(resolve, 1000); });
    try {
      const response = await fetch('/api/config', { credentials: 'same-origin', cache: 'no-store' });
      if (response.status === 401) { session = null; showMessage(t('zones.loginAgain')); await route(); return; }
      if (response.ok && (await response.json()).version === version) return;
    } catch { /* restarting: not listening yet */ }
  }
  showMessage(t('error.network'));
}

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

// The device editor: a form per device type made from the node's schema (GET /api/devices/fields),
// checked as the technician types by the apply path itself (POST /api/config/validate on the whole
// would-be devices array), applied as a merge patch of that array (RFC 7396 replaces arrays whole).
// Keys without a form field (a device's own points) are carried over as they are.
const deviceEditor = { types: null, profiles: [], config: null, version: null, index: -1, originalId: null, timer: null, sequence: 0, result: null };

function deviceMessage(text, kind, ...extra) {
  const box = $('device-result');
  box.className = kind;
  box.replaceChildren(el('span', {}, text), ...extra);
  box.hidden = false;
}

async function openDeviceEditor(id) {
  const [fields, profiles, current] = await Promise.all([
    deviceEditor.types ? null : api('GET', '/api/devices/fields'), api('GET', '/api/profiles'), api('GET', '/api/config')]);
  if (fields) deviceEditor.types = fields.types;
  deviceEditor.profiles = profiles.profiles;
  deviceEditor.config = current.config;
  deviceEditor.version = current.version;
  const devices = current.config.devices ?? [];
  deviceEditor.index = id === null ? devices.length : devices.findIndex((d) => d.id === id);
  if (deviceEditor.index < 0) { await views.devices(true); deviceMessage(t('edit.gone', { id }), 'error'); return; }
  deviceEditor.originalId = id;
  const device = id === null ? { type: 'modbus' } : devices[deviceEditor.index];
  $('device-result').hidden = true;
  $('device-editor').hidden = false;
  $('device-editor-title').textContent = id === null ? t('edit.titleNew') : t('edit.titleEdit', { id });
  renderDeviceForm(device);
  $('device-editor').scrollIntoView({ block: 'nearest' });
}

function fieldFor(kind, key, value, field) {
  const attributes = { id: `field-${key}`, name: key, 'data-key': key, 'data-kind': kind, autocomplete: 'off' };
  const unset = field?.default !== undefined ? t('edit.default', { value: field.default }) : t('edit.unset');
  let input;
  if (kind === 'boolean' || kind === 'enum' || key === 'profile') {
    const choices = kind === 'boolean' ? [true, false] : kind === 'enum' ? field.enum : deviceEditor.profiles.map((p) => p.value);
    if (key === 'profile' && value !== undefined && !choices.includes(value)) choices.push(value); // a profile named by an absolute path stays selectable
    input = el('select', attributes, field?.required ? null : el('option', { value: '' }, unset),
      choices.map((choice) => {
        const profile = key === 'profile' ? deviceEditor.profiles.find((p) => p.value === choice) : null;
        return el('option', { value: String(choice) }, profile?.name ? `${choice} (${profile.name})` : String(choice));
      }));
    input.choices = choices; // the option's text is a string; the choice keeps its JSON type (118, true)
    input.value = value === undefined ? '' : String(value);
  } else {
    input = el('input', { ...attributes, placeholder: field?.default !== undefined ? String(field.default) : '' });
    input.value = value === undefined ? '' : String(value);
  }
  input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', () => {
    if (key === 'type') renderDeviceForm(readDeviceForm());
    scheduleDeviceCheck();
  });
  return input;
}

function fieldRow(key, input, field) {
  const title = field?.description ?? '';
  return el('label', { class: 'field', title, 'data-field': key },
    el('span', {}, key, field?.required || key === 'id' || key === 'type' ? el('b', { class: 'required' }, ' *') : null),
    input, el('small', { class: 'field-error', 'data-error-for': key, hidden: '' }));
}

function renderDeviceForm(device) {
  const isNew = deviceEditor.originalId === null;
  const type = deviceEditor.types.find((x) => x.type === device.type) ?? deviceEditor.types[0];
  const rows = [];
  if (isNew) {
    rows.push(fieldRow('id', fieldFor('string', 'id', device.id, null), null));
    rows.push(fieldRow('type', fieldFor('enum', 'type', type.type, { enum: deviceEditor.types.map((x) => x.type), required: true }), null));
  }
  for (const field of type.fields) rows.push(fieldRow(field.key, fieldFor(field.kind, field.key, device[field.key], field), field));
  $('device-form').replaceChildren(...rows);
  $('device-form').dataset.type = type.type;
  deviceEditor.base = device;
  $('device-kept').textContent = Object.keys(device).filter((k) => !['id', 'type'].includes(k) && !type.fields.some((f) => f.key === k)).join(', ');
  $('device-kept-line').hidden = $('device-kept').textContent === '';
  scheduleDeviceCheck();
}

// What the form says the device is: the configured device (keys without a field kept), each field's
// value as typed. A number that does not parse is sent as typed, so that the node names its path.
function readDeviceForm() {
  const device = structuredClone(deviceEditor.base ?? {});
  if (deviceEditor.originalId !== null) { device.id = deviceEditor.originalId; } else delete device.id;
  const typeField = deviceEditor.types.find((x) => x.type === $('device-form').dataset.type);
  for (const input of $('device-form').querySelectorAll('[data-key]')) {
    const key = input.dataset.key;
    const text = input.value.trim();
    if (text === '') { delete device[key]; continue; }
    if (input.tagName === 'SELECT') { device[key] = input.choices.find((choice) => String(choice) === input.value); continue; }
    if (input.dataset.kind === 'integer' || input.dataset.kind === 'number') {
      const number = Number(text);
      device[key] = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) && Number.isFinite(number) ? number : text;
    } else {
      device[key] = input.value;
    }
  }
  // A new device whose type changed drops the keys the old type had and the new one lacks.
  if (deviceEditor.originalId === null && device.type !== typeField?.type) {
    const keep = new Set(['id', 'type', ...(deviceEditor.types.find((x) => x.type === device.type)?.fields.map((f) => f.key) ?? [])]);
    for (const key of Object.keys(device)) if (!keep.has(key)) delete device[key];
  }
  return { id: device.id, type: device.type, ...device };
}

function wouldBeDevices(device) {
  const devices = structuredClone(deviceEditor.config.devices ?? []);
  if (device === null) devices.splice(deviceEditor.index, 1); else devices[deviceEditor.index] = device;
  return devices;
}

function scheduleDeviceCheck() {
  clearTimeout(deviceEditor.timer);
  $('device-apply').disabled = true;
  $('device-validity').className = 'hint';
  $('device-validity').textContent = t('edit.checking');
  deviceEditor.timer = setTimeout(checkDevice, 400);
}

// A node's message about a field, in Chinese from what the schema says of the field where possible.
function fieldErrorText(key, message) {
  if (language() === 'en') return message;
  const field = deviceEditor.types.find((x) => x.type === $('device-form').dataset.type)?.fields.find((f) => f.key === key);
  let text = t('edit.badValue');
  if (/duplicate/.test(message)) text = t('edit.duplicateId');
  else if (/required|missing/i.test(message)) text = t('edit.requiredValue');
  else if (field?.minimum !== undefined && field?.maximum !== undefined) text = t('edit.range', { min: field.minimum, max: field.maximum });
  else if (field?.enum) text = t('edit.oneOf', { values: field.enum.join(', ') });
  return `${text}（${message}）`;
}

function showDeviceErrors(errors) {
  const prefix = `devices[${deviceEditor.index}].`;
  const general = [];
  for (const span of $('device-form').querySelectorAll('.field-error')) { span.hidden = true; span.textContent = ''; span.removeAttribute('data-path'); }
  for (const input of $('device-form').querySelectorAll('[data-key]')) input.classList.remove('invalid');
  for (const error of errors ?? []) {
    const key = error.path.startsWith(prefix) ? error.path.slice(prefix.length).split(/[.[]/)[0] : null;
    const span = key ? $('device-form').querySelector(`[data-error-for="${CSS.escape(key)}"]`) : null;
    // "endpoint or bus" is about the device as a whole: beside the form, with its path.
    // A missing required key is the device's error ("devices[2]: … 'chip' …"): shown beside that key's field.
    const named = !span && error.path === `devices[${deviceEditor.index}]` ? /'([A-Za-z]+)'/.exec(error.message)?.[1] : null;
    const target = span ?? (named ? $('device-form').querySelector(`[data-error-for="${CSS.escape(named)}"]`) : null);
    if (target) {
      const field = key && span ? key : named;
      target.textContent = [target.textContent, fieldErrorText(field, error.message)].filter(Boolean).join(' · ');
      target.dataset.path = error.path;
      target.hidden = false;
      $(`field-${field}`)?.classList.add('invalid');
    } else {
      general.push(el('li', { 'data-path': error.path }, el('code', {}, error.path || '/'), ` ${error.message}`));
    }
  }
  $('device-errors').replaceChildren(...general);
}

async function checkDevice() {
  const sequence = ++deviceEditor.sequence;
  const validity = $('device-validity');
  let result;
  try {
    result = await api('POST', '/api/config/validate', { version: deviceEditor.version, patch: { devices: wouldBeDevices(readDeviceForm()) } });
  } catch (error) {
    if (sequence !== deviceEditor.sequence) return;
    validity.className = 'error';
    validity.textContent = describeError(error);
    showDeviceErrors(error.body?.errors);
    return;
  }
  if (sequence !== deviceEditor.sequence) return;
  deviceEditor.result = result;
  const changed = result.diff.length > 0;
  validity.className = result.valid && !result.conflict ? 'ok' : 'error';
  validity.textContent = result.conflict ? t('edit.conflict')
    : !result.valid ? t('config.invalid', { n: result.errors.length })
      : changed ? t('config.valid', { restarts: result.wouldRestart === 'host' ? t('config.restartsHost') : result.wouldRestart ?? t('none') }) : t('config.unchanged');
  if (result.conflict) validity.append(' ', reloadButton());
  showDeviceErrors(result.errors);
  fillDiff($('device-diff'), result.diff);
  $('device-apply').disabled = !(result.valid && !result.conflict && changed);
}

// After a 409: the configuration as it is now, the form as the technician left it, checked again.
function reloadButton() {
  return el('button', { type: 'button', class: 'small', id: 'device-reload', onclick: reloadDeviceConfig }, t('edit.reload'));
}

async function reloadDeviceConfig() {
  const current = await api('GET', '/api/config');
  const devices = current.config.devices ?? [];
  const index = deviceEditor.originalId === null ? devices.length : devices.findIndex((d) => d.id === deviceEditor.originalId);
  if (index < 0) { deviceMessage(t('edit.gone', { id: deviceEditor.originalId }), 'error'); $('device-editor').hidden = true; return; }
  const edited = readDeviceForm();
  deviceEditor.config = current.config;
  deviceEditor.version = current.version;
  deviceEditor.index = index;
  deviceEditor.base = deviceEditor.originalId === null ? edited : { ...devices[index], ...edited };
  $('device-result').hidden = true;
  scheduleDeviceCheck();
}

// One apply of the whole devices array; a refused one says what to do next.
async function applyDevices(devices, doneText) {
  const reply = await api('PUT', '/api/config', { version: deviceEditor.version, patch: { devices } });
  if (reply.restarted === 'host') await waitForVersion(reply.version);
  deviceMessage(t(doneText, { version: reply.version }), 'ok');
  return reply;
}

function applyFailed(error) {
  if (!(error instanceof ApiError)) { deviceMessage(error.message, 'error'); return; }
  const next = error.status === 409 ? t('edit.next409') : error.status === 400 ? t('edit.next400') : error.status === 500 ? t('edit.next500') : '';
  deviceMessage([describeError(error), next].filter(Boolean).join(' '), 'error', ...(error.status === 409 ? [' ', reloadButton()] : []),
    el('ul', { class: 'errors' }, errorLines(error.body?.errors).map((line) => el('li', {}, line))));
  if (error.status === 400 && !$('device-editor').hidden) showDeviceErrors(error.body?.errors);
}

async function applyDevice() {
  const button = $('device-apply');
  button.disabled = true;
  deviceMessage(t('config.applying'), 'hint');
  try {
    const device = readDeviceForm();
    await applyDevices(wouldBeDevices(device), 'edit.applied');
    if (session) await views.devices(true);
  } catch (error) {
    applyFailed(error);
    button.disabled = false;
  }
}

async function deleteDevice(id) {
  if (!window.confirm(t('edit.confirmDelete', { id }))) return;
  try {
    const current = await api('GET', '/api/config');
    deviceEditor.config = current.config;
    deviceEditor.version = current.version;
    deviceEditor.index = (current.config.devices ?? []).findIndex((d) => d.id === id);
    if (deviceEditor.index < 0) { deviceMessage(t('edit.gone', { id }), 'error'); return; }
    $('device-editor').hidden = true;
    deviceMessage(t('config.applying'), 'hint');
    await applyDevices(wouldBeDevices(null), 'edit.deleted');
    if (session) await views.devices(true);
  } catch (error) {
    applyFailed(error);
  }
}

// Validation as the technician types: the node's own checks (POST /api/config/validate, nothing
// written) once typing pauses; only the newest answer is shown.
const configCheck = { timer: null, sequence: 0, version: null };

function scheduleConfigCheck() {
  clearTimeout(configCheck.timer);
  configCheck.timer = setTimeout(checkConfig, 600);
}

async function checkConfig() {
  const sequence = ++configCheck.sequence;
  const box = $('config-check');
  const validity = $('config-validity');
  const errors = $('config-errors');
  box.hidden = false;
  let config;
  try {
    config = JSON.parse($('config-text').value);
  } catch (error) {
    validity.className = 'error';
    validity.textContent = t('config.notJson', { message: error.message });
    errors.replaceChildren();
    fillTable($('config-diff'), ['f.diff'], [[t('none')]]);
    return;
  }
  let result;
  try {
    result = await api('POST', '/api/config/validate', { version: configCheck.version, config });
  } catch (error) {
    if (sequence !== configCheck.sequence) return;
    validity.className = 'error';
    validity.textContent = describeError(error);
    errors.replaceChildren(...errorLines(error.body?.errors).map((line) => el('li', {}, line)));
    return;
  }
  if (sequence !== configCheck.sequence) return;
  validity.className = result.valid ? 'ok' : 'error';
  validity.textContent = result.conflict ? t('code.versionConflict')
    : result.valid ? (result.diff.length === 0 ? t('config.unchanged') : t('config.valid', { restarts: result.wouldRestart === 'host' ? t('config.restartsHost') : result.wouldRestart ?? t('none') }))
      : t('config.invalid', { n: result.errors.length });
  errors.replaceChildren(...result.errors.map((e) => el('li', { 'data-path': e.path }, el('code', {}, e.path || '/'), ` ${e.message}`)));
  fillDiff($('config-diff'), result.diff);
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
    result.textContent = [describeError(error), ...errorLines(error.body?.errors)].join('\n');
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
  $('config-text').addEventListener('input', () => { if (session?.role === 'technician') scheduleConfigCheck(); });
  $('camera-overlay').addEventListener('click', placePoint);
  $('camera-refresh').addEventListener('click', () => { views.cameras(true).catch((error) => showMessage(describeError(error))); });
  $('zone-undo').addEventListener('click', () => { cameraEditor.points.pop(); drawZones(); });
  $('zone-add').addEventListener('click', addZone);
  $('zones-apply').addEventListener('click', applyZones);
  $('device-add').addEventListener('click', () => { openDeviceEditor(null).catch((error) => deviceMessage(describeError(error), 'error')); });
  $('device-apply').addEventListener('click', applyDevice);
  $('device-cancel').addEventListener('click', () => { $('device-editor').hidden = true; clearTimeout(deviceEditor.timer); });
  window.addEventListener('hashchange', () => { showMessage(null); route(); });
  try { session = await api('GET', '/api/session'); } catch { session = null; }
  showMessage(null);
  await route();
}

start();
