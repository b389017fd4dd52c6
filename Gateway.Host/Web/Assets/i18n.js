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
    'cameras.none': 'No cameras are configured. Add them to the cameras section of the configuration.',
    'cameras.refresh': 'Refresh', 'cameras.show': 'Show', 'cameras.stillAt': 'Picture taken',
    'f.camera': 'Camera', 'f.fps': 'Frames/s (read / asked)', 'f.analysisFps': 'Analysed/s', 'f.size': 'Frame', 'f.zones': 'Zones (persons)',
    'f.zone': 'Zone', 'f.kind': 'Kind', 'f.points': 'Corners (frame pixels)', 'f.persons': 'Persons', 'f.path': 'Setting', 'f.before': 'Running', 'f.after': 'Edited',
    'state.starting': 'starting', 'state.streaming': 'streaming', 'state.stalled': 'stalled', 'state.lost': 'lost',
    'zones.editor': 'Zone editor', 'zones.howto': 'Click on the picture to place the corners of a new zone (at least 3), name it, choose its kind, then add it. Apply sends the camera\'s zones to the node.',
    'zones.name': 'Zone name', 'zones.kind': 'Kind', 'zones.crowd': 'crowd (persons)', 'zones.litter': 'litter',
    'zones.undo': 'Undo point', 'zones.add': 'Add zone', 'zones.apply': 'Apply zones', 'zones.delete': 'Delete',
    'zones.points': '{n} corner(s) placed', 'zones.needPoints': 'Place at least 3 corners on the picture first.',
    'zones.badName': 'A zone name is 1–64 letters, digits, dots, dashes or underscores.', 'zones.duplicate': 'There is already a zone named {name} of this kind.',
    'zones.added': 'Zone {name} added. Apply to send it to the node.', 'zones.deleted': 'Zone deleted. Apply to send the change to the node.',
    'zones.notConfigured': 'Camera {id} is not in the configuration file (it may come from an environment override).',
    'zones.appliedHost': 'Applied: version {version}. The gateway restarts its cameras to use it (a few seconds)…',
    'zones.loginAgain': 'The gateway has restarted: log in again to continue.',
    'config.check': 'Check', 'config.diff': 'Changes against the running configuration',
    'config.valid': 'Valid. Applying it restarts: {restarts}.', 'config.restartsHost': 'the whole gateway (a few seconds)',
    'config.invalid': 'Not valid: {n} problem(s). Correct them before applying.', 'config.unchanged': 'Valid, and the same as the running configuration.',
    'config.noChanges': 'No changes.',
    'code.badRequest': 'The request was not understood.', 'code.notLoggedIn': 'You are not logged in, or your session has ended. Log in again.',
    'code.forbidden': 'This is not allowed.', 'code.notFound': 'Not found.', 'code.conflict': 'Someone else changed this meanwhile.',
    'code.notJson': 'The request was not valid JSON.', 'code.locked': 'Too many failed logins. Wait and try again.',
    'code.unavailable': 'This part of the node is not available right now.', 'code.internal': 'The node could not answer this request. Try again; if it persists, look at the Logs page.',
    'code.csrf': 'The page\'s security token is missing or old. Reload the page and try again.',
    'code.viewerReadOnly': 'A viewer account cannot change anything on this node. Log in with a technician account.',
    'code.wrongLogin': 'Wrong user name or password.', 'code.noUsers': 'This node has no accounts yet.', 'code.loginIncomplete': 'Enter a user name and a password.',
    'code.usersUnreadable': 'The node\'s users file cannot be read. Look at the node\'s journal.',
    'code.noStatus': 'The status of this node is not available.', 'code.noApplyPath': 'This gateway cannot change its configuration.',
    'code.badChange': 'The change is not in the expected form.', 'code.versionConflict': 'Someone else changed the configuration meanwhile: reload it, redo your change and apply again.',
    'code.invalidConfig': 'The configuration is not valid; nothing was changed. Correct the values listed below.',
    'code.rolledBack': 'The new configuration failed after it was applied; the previous one is running again. See the reasons below.',
    'code.unknownDevice': 'This device is not in the configuration.', 'code.deviceNotRunning': 'The driver of this device does not run on this node.',
    'code.unknownCamera': 'This camera is not in the configuration.', 'code.noStillYet': 'This camera has no analysed picture yet. Wait until it streams, then refresh.',
    'code.camerasMissing': 'Camera analysis is not built into this gateway.', 'code.noSuchApi': 'This page asked the node for something it does not know (a newer page?).',
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
    'cameras.none': '尚未配置摄像头，请在配置的 cameras 部分添加。',
    'cameras.refresh': '刷新', 'cameras.show': '查看', 'cameras.stillAt': '拍摄时间',
    'f.camera': '摄像头', 'f.fps': '帧率（实际 / 设定）', 'f.analysisFps': '分析帧率', 'f.size': '画面尺寸', 'f.zones': '区域（人数）',
    'f.zone': '区域', 'f.kind': '类型', 'f.points': '顶点（画面像素）', 'f.persons': '人数', 'f.path': '配置项', 'f.before': '运行中', 'f.after': '编辑后',
    'state.starting': '启动中', 'state.streaming': '正常取流', 'state.stalled': '画面停滞', 'state.lost': '已断开',
    'zones.editor': '区域编辑', 'zones.howto': '在画面上点击放置新区域的顶点（至少 3 个），输入名称并选择类型，然后添加。点击“应用区域”将此摄像头的区域发送到设备。',
    'zones.name': '区域名称', 'zones.kind': '类型', 'zones.crowd': '人群（人数）', 'zones.litter': '垃圾',
    'zones.undo': '撤销顶点', 'zones.add': '添加区域', 'zones.apply': '应用区域', 'zones.delete': '删除',
    'zones.points': '已放置 {n} 个顶点', 'zones.needPoints': '请先在画面上放置至少 3 个顶点。',
    'zones.badName': '区域名称为 1–64 个字母、数字、点、短横线或下划线。', 'zones.duplicate': '已有同类型的区域名为 {name}。',
    'zones.added': '已添加区域 {name}。点击“应用区域”发送到设备。', 'zones.deleted': '已删除区域。点击“应用区域”将更改发送到设备。',
    'zones.notConfigured': '配置文件中没有摄像头 {id}（可能来自环境变量覆盖）。',
    'zones.appliedHost': '已应用：版本 {version}。网关正在重启摄像头以使用新配置（几秒钟）…',
    'zones.loginAgain': '网关已重启：请重新登录以继续。',
    'config.check': '检查', 'config.diff': '与运行中配置的差异',
    'config.valid': '有效。应用后将重启：{restarts}。', 'config.restartsHost': '整个网关（几秒钟）',
    'config.invalid': '无效：{n} 个问题。请改正后再应用。', 'config.unchanged': '有效，与运行中的配置相同。',
    'config.noChanges': '没有更改。',
    'code.badRequest': '无法理解该请求。', 'code.notLoggedIn': '您尚未登录或会话已结束，请重新登录。',
    'code.forbidden': '不允许此操作。', 'code.notFound': '未找到。', 'code.conflict': '其他人已同时修改了此内容。',
    'code.notJson': '请求不是有效的 JSON。', 'code.locked': '登录失败次数过多，请稍后再试。',
    'code.unavailable': '设备的这一部分暂时不可用。', 'code.internal': '设备无法响应此请求。请重试；如仍失败，请查看“运行日志”页面。',
    'code.csrf': '页面的安全令牌缺失或已过期。请刷新页面后重试。',
    'code.viewerReadOnly': '只读账号不能修改此设备上的任何内容。请使用技术员账号登录。',
    'code.wrongLogin': '用户名或密码错误。', 'code.noUsers': '此设备尚无账号。', 'code.loginIncomplete': '请输入用户名和密码。',
    'code.usersUnreadable': '无法读取设备的用户文件。请查看设备日志。',
    'code.noStatus': '无法获取此设备的状态。', 'code.noApplyPath': '此网关无法修改其配置。',
    'code.badChange': '更改的格式不正确。', 'code.versionConflict': '其他人已同时修改了配置：请重新加载，重做您的更改后再应用。',
    'code.invalidConfig': '配置无效，未做任何更改。请改正下列各项。',
    'code.rolledBack': '新配置应用后运行失败，已恢复之前的配置。原因见下方。',
    'code.unknownDevice': '配置中没有此设备。', 'code.deviceNotRunning': '此设备的驱动未在本设备上运行。',
    'code.unknownCamera': '配置中没有此摄像头。', 'code.noStillYet': '此摄像头尚无分析画面。请等待其开始取流后刷新。',
    'code.camerasMissing': '此网关未包含摄像头分析功能。', 'code.noSuchApi': '页面请求了设备不支持的功能（页面版本较新？）。',
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

export function has(key) { return key in strings[lang] || key in strings.en; }

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
