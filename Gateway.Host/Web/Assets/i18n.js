// Every label of the page in English and Simplified Chinese. The language comes from the
// browser (zh* → Chinese) until the technician switches it; the choice is remembered.
const strings = {
  en: {
    brand: 'Edge Gateway', 'nav.status': 'Status', 'nav.devices': 'Devices', 'nav.cameras': 'Cameras',
    'nav.config': 'Configuration', 'nav.audit': 'Audit log', 'nav.logs': 'Logs', logout: 'Log out',
    'login.title': 'Log in', 'login.user': 'User name', 'login.password': 'Password', 'login.submit': 'Log in',
    'login.noAccount': 'No account yet? On the node, run:', 'login.wrong': 'Wrong user name or password.',
    'login.locked': 'Too many failed logins. Wait {min} minutes and try again.',
    'login.noUsers': 'This node has no accounts yet. Create one on the node with the command below, then log in.',
    'status.uplink': 'Uplink', 'status.backlog': 'Backlog', 'status.clock': 'Clock', 'status.versions': 'Versions',
    'status.components': 'Components', 'status.refreshed': 'Refreshed every 5 s; last',
    'f.state': 'State', 'f.broker': 'Broker', 'f.since': 'Since', 'f.lastError': 'Last error', 'f.pending': 'Waiting to send',
    'f.readings': 'readings', 'f.events': 'events', 'f.dropped': 'Dropped', 'f.storeWrites': 'Store writes',
    'f.lastSeq': 'Last seq', 'f.synchronized': 'Synchronized', 'f.trusted': 'Trusted', 'f.nodeTime': 'Node time',
    'f.node': 'Node', 'f.site': 'Site', 'f.version': 'Version', 'f.uptime': 'Up for', 'f.device': 'Device',
    'f.type': 'Type', 'f.health': 'Health', 'f.values': 'Last values', 'f.component': 'Component', 'f.failures': 'Failures',
    'f.point': 'Point', 'f.value': 'Value', 'f.raw': 'Raw registers', 'f.address': 'Address', 'f.error': 'Error',
    'f.time': 'Time', 'f.user': 'Who', 'f.via': 'Via', 'f.result': 'Result', 'f.diff': 'Change', 'f.endpoint': 'Connection',
    yes: 'yes', no: 'no', none: '—', unknown: 'unknown',
    'state.connected': 'connected', 'state.connecting': 'connecting', 'state.failing': 'failing', 'state.stopped': 'stopped',
    'state.online': 'online', 'state.offline': 'offline', 'state.uncertain': 'uncertain', 'state.running': 'running',
    'state.restarting': 'restarting', 'state.failed': 'failed', 'state.ok': 'ok', 'state.full': 'full',
    'state.applied': 'applied', 'state.rejected': 'rejected', 'state.rolled-back': 'rolled back',
    'devices.read': 'Read now', 'devices.reading': 'Reading…', 'devices.readAt': 'Read at',
    'devices.latest': 'Latest values reported by the driver (this kind of device is not read on demand).',
    'devices.none': 'No devices are configured. Add them to the configuration file.',
    'cameras.missing': 'Camera analysis is not built into this gateway yet: stills, detections and zones will appear here once it is.',
    'cameras.configured': 'Cameras in the configuration:',
    'config.version': 'Version', 'config.redacted': 'secrets are shown as ***', 'config.apply': 'Apply',
    'config.viewer': 'Your account can view the configuration but not change it.',
    'config.applying': 'Checking and applying…', 'config.applied': 'Applied: version {version} is running.',
    'config.appliedHost': 'Applied: version {version}; the gateway restarts itself to use it (a few seconds).',
    'config.notJson': 'This is not valid JSON ({message}): correct it and apply again.',
    'audit.none': 'No configuration change has been recorded yet.',
    'error.session': 'Your session has ended. Log in again.',
    'error.network': 'The node does not answer. Check the cable to the cabinet and that the gateway is running, then reload.',
    'error.server': 'The node could not answer ({status}). Try again; if it persists, look at the Logs page.',
  },
  zh: {
    brand: '边缘网关', 'nav.status': '状态', 'nav.devices': '设备', 'nav.cameras': '摄像头',
    'nav.config': '配置', 'nav.audit': '审计日志', 'nav.logs': '运行日志', logout: '退出登录',
    'login.title': '登录', 'login.user': '用户名', 'login.password': '密码', 'login.submit': '登录',
    'login.noAccount': '还没有账号？请在设备上运行：', 'login.wrong': '用户名或密码错误。',
    'login.locked': '登录失败次数过多，请 {min} 分钟后再试。',
    'login.noUsers': '此设备尚无账号。请先在设备上用下面的命令创建账号，然后登录。',
    'status.uplink': '上行连接', 'status.backlog': '待发送数据', 'status.clock': '时钟', 'status.versions': '版本',
    'status.components': '组件', 'status.refreshed': '每 5 秒刷新；上次',
    'f.state': '状态', 'f.broker': '服务器', 'f.since': '起始时间', 'f.lastError': '最近错误', 'f.pending': '待发送',
    'f.readings': '条读数', 'f.events': '个事件', 'f.dropped': '已丢弃', 'f.storeWrites': '存储写入',
    'f.lastSeq': '最新序号', 'f.synchronized': '已同步', 'f.trusted': '可信', 'f.nodeTime': '设备时间',
    'f.node': '节点', 'f.site': '站点', 'f.version': '版本', 'f.uptime': '运行时长', 'f.device': '设备',
    'f.type': '类型', 'f.health': '健康状态', 'f.values': '最新数值', 'f.component': '组件', 'f.failures': '失败次数',
    'f.point': '点位', 'f.value': '数值', 'f.raw': '原始寄存器', 'f.address': '地址', 'f.error': '错误',
    'f.time': '时间', 'f.user': '操作人', 'f.via': '途径', 'f.result': '结果', 'f.diff': '变更', 'f.endpoint': '连接',
    yes: '是', no: '否', none: '—', unknown: '未知',
    'state.connected': '已连接', 'state.connecting': '连接中', 'state.failing': '连接失败', 'state.stopped': '已停止',
    'state.online': '在线', 'state.offline': '离线', 'state.uncertain': '不确定', 'state.running': '运行中',
    'state.restarting': '重启中', 'state.failed': '故障', 'state.ok': '正常', 'state.full': '已满',
    'state.applied': '已应用', 'state.rejected': '已拒绝', 'state.rolled-back': '已回滚',
    'devices.read': '立即读取', 'devices.reading': '读取中…', 'devices.readAt': '读取时间',
    'devices.latest': '驱动上报的最新数值（此类设备不支持即时读取）。',
    'devices.none': '尚未配置设备，请在配置文件中添加。',
    'cameras.missing': '此网关尚未包含摄像头分析功能：功能就绪后，此处将显示画面、检测结果和区域。',
    'cameras.configured': '配置中的摄像头：',
    'config.version': '版本', 'config.redacted': '密钥显示为 ***', 'config.apply': '应用',
    'config.viewer': '您的账号只能查看配置，不能修改。',
    'config.applying': '正在检查并应用…', 'config.applied': '已应用：版本 {version} 正在运行。',
    'config.appliedHost': '已应用：版本 {version}；网关将自行重启以使用它（几秒钟）。',
    'config.notJson': '这不是有效的 JSON（{message}）：请改正后再应用。',
    'audit.none': '尚无配置变更记录。',
    'error.session': '会话已结束，请重新登录。',
    'error.network': '设备无响应。请检查到机柜的网线以及网关是否在运行，然后刷新页面。',
    'error.server': '设备无法响应（{status}）。请重试；如仍失败，请查看“运行日志”页面。',
  },
};

const stored = localStorage.getItem('gw-lang');
let lang = stored === 'zh' || stored === 'en' ? stored : (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';

export function language() { return lang; }

export function t(key, args = {}) {
  let text = strings[lang][key] ?? strings.en[key] ?? key;
  for (const [name, value] of Object.entries(args)) text = text.replace(`{${name}}`, String(value));
  return text;
}

/** Puts the current language into every element carrying data-i18n. */
export function translate(root = document) {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  const button = document.getElementById('lang');
  if (button) button.textContent = lang === 'zh' ? 'English' : '中文';
}

export function switchLanguage() {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('gw-lang', lang);
  translate();
}
