import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Lang = 'en' | 'zh';

const EN = {
  latencyTrace: 'Latency of one change, layer by layer (rivulet validate)',
  noLatencyTrace: 'No trace yet: run',
  validationPassed: 'validation passed',
  validationFailed: 'validation failed',
  changeStatus: 'Change (order status)',
  layerJoin: 'Join',
  layerSink: 'Sink',
  layerHistory: 'History',
  alerts: 'Alerts',
  alertsFiring: 'Firing',
  alertsResolved: 'Resolved',
  noAlertsFiring: 'No alert is firing.',
  noAlertsResolved: 'No alert has resolved yet.',
  alertsOff: 'This engine evaluates no alerts.',
  alertsBanner: 'alerts firing',
  alert: 'Alert',
  severity: 'Severity',
  subject: 'Job or slot',
  started: 'Started',
  ended: 'Resolved at',
  thresholds: 'Thresholds',
  alertsEvaluated: 'Evaluated every',
  webhook: 'Webhook',
  noWebhook: 'none',
  RivuletJobFailed: 'Job failed',
  RivuletJobRestarting: 'Job restarting',
  RivuletCheckpointFailures: 'Commits failed',
  RivuletSourceToCommitLatencyHigh: 'Source-to-commit latency p99 too high',
  RivuletBackPressure: 'Back-pressure: changes wait for a commit',
  RivuletCdcSlotRetainsWal: 'Replication slot holds back WAL',
  overview: 'Overview',
  jobs: 'Jobs',
  sql: 'SQL',
  cdc: 'CDC slots',
  topics: 'Topics',
  partitions: 'Partitions',
  messages: 'Records',
  size: 'Size',
  compacted: 'compacted',
  noTopics: 'The log has no topics yet.',
  partition: 'Partition',
  offset: 'Offset',
  timestamp: 'Timestamp',
  key: 'Key',
  value: 'Value',
  keyFilter: 'Key contains',
  tailHelp: 'The latest records of each partition, latest first; headers are not kept by the log.',
  noRecords: 'No records.',
  headers: 'Headers',
  noHeadersKept: 'The postgres log keeps no record headers: records have none to show.',
  slot: 'Slot',
  sourceTable: 'Source table',
  database: 'Database',
  job: 'Job',
  lagSeconds: 'Lag (time)',
  retainedWal: 'WAL retained',
  lagBytes: 'Lag (WAL)',
  confirmedLsn: 'Confirmed LSN',
  confirmedLsnHelp: "The slot's confirmed_flush_lsn: the WAL position up to which the job has committed what it read",
  noSlots: 'No running job reads a postgres-cdc table.',
  notReported: 'The source database did not report this slot (unreachable, slow, or the slot is gone).',
  walRetained: 'This slot holds back more WAL than',
  live: 'live',
  reconnecting: 'reconnecting…',
  instance: 'Instance',
  uptime: 'Uptime',
  cpuCores: 'CPU cores',
  memory: 'Memory (RSS / heap)',
  jobsByState: 'Jobs by state',
  running: 'Running',
  finished: 'Finished',
  cancelled: 'Cancelled',
  failed: 'Failed',
  log: 'Log',
  databases: 'Databases in use',
  noDatabases: 'No job reads or writes a database.',
  versions: 'Versions',
  rivuletVersion: 'Rivulet',
  flinkDialect: 'Flink SQL and REST dialect',
  name: 'Name',
  state: 'State',
  startTime: 'Start time',
  duration: 'Duration',
  recordsIn: 'Records in',
  recordsOut: 'Records out',
  noJobs: 'No jobs yet.',
  jobNotFound: 'This job is not known to the engine.',
  cancel: 'Cancel',
  stop: 'Stop',
  confirmCancel: 'Cancel this job for good?',
  restarts: 'Restarts',
  worker: 'Worker',
  checkpoints: 'Checkpoints (commits)',
  deadLetters: 'Dead letters',
  pendingOutput: 'Pending output',
  graph: 'Operator graph',
  throughput: 'Throughput (records/s)',
  latencyChart: "Latency from the source commit to this job's commit, last 10 s (ms)",
  latencyChartHelp: 'Percentiles of rivulet_source_to_commit_latency_seconds over the latest 10 seconds',
  perSecond: '/s',
  latency: 'p50 / p99',
  latencyHelp: 'Time from the commit of a change in the source database to the end of its processing here',
  pending: 'pending',
  busy: 'busy',
  busyHelp:
    "Share of the latest seconds spent processing (Flink's busyTimeMsPerSecond); a sink: writing and committing",
  backPressured: 'back-pressured',
  backPressuredHelp:
    "Share of the latest seconds a source waited for the commit of what it handed over (Flink's backPressuredTimeMsPerSecond)",
  stateBytes: 'state',
  stateHelp: "Bytes of the operator's keyed state in memory (estimated) and spilled to disk",
  spilled: 'spilled',
  exceptions: 'Exceptions',
  noExceptions: 'No failures.',
  failureCause: 'Failure cause',
  script: 'SQL',
  completedAt: 'Completed',
  checkpoint: 'Checkpoint',
  noCheckpoints: 'No commits yet.',
  committedRecords: 'Records',
  committedRecordsHelp: 'Output changes the commit made durable',
  committedPositions: 'Source positions',
  noChartData: 'No data yet.',
  tokenTitle: 'REST token',
  tokenHelp:
    'Cancelling, stopping and submitting need the instance token: paste the content of <data-dir>/rest-token. It is kept in this tab only.',
  tokenSave: 'Save',
  tokenSet: 'token set',
  tokenMissing: 'no token',
  tokenForget: 'Forget',
  editor: 'Script',
  variables: 'Variables (-D), one NAME=VALUE per line',
  jobName: 'Script name',
  explain: 'Explain',
  submit: 'Submit',
  submitted: 'Submitted:',
  fromScratch: 'from scratch',
  explaining: 'planning…',
  needsToken: 'Set the token first (top right).',
} as const;

export type Key = keyof typeof EN;

const ZH: Record<Key, string> = {
  latencyTrace: '单条变更的逐层延迟（rivulet validate）',
  noLatencyTrace: '还没有延迟追踪：请运行',
  validationPassed: '验证通过',
  validationFailed: '验证失败',
  changeStatus: '变更（订单状态）',
  layerJoin: '关联',
  layerSink: '写入目标',
  layerHistory: '历史',
  alerts: '告警',
  alertsFiring: '告警中',
  alertsResolved: '已恢复',
  noAlertsFiring: '当前没有告警。',
  noAlertsResolved: '还没有已恢复的告警。',
  alertsOff: '此引擎未启用告警。',
  alertsBanner: '条告警',
  alert: '告警',
  severity: '级别',
  subject: '作业或复制槽',
  started: '开始时间',
  ended: '恢复时间',
  thresholds: '阈值',
  alertsEvaluated: '评估间隔',
  webhook: 'Webhook',
  noWebhook: '无',
  RivuletJobFailed: '作业失败',
  RivuletJobRestarting: '作业重启',
  RivuletCheckpointFailures: '提交失败',
  RivuletSourceToCommitLatencyHigh: '源提交到提交的 p99 延迟过高',
  RivuletBackPressure: '反压：变更等待提交',
  RivuletCdcSlotRetainsWal: '复制槽保留了过多 WAL',
  overview: '概览',
  jobs: '作业',
  sql: 'SQL',
  cdc: 'CDC 复制槽',
  topics: '主题',
  partitions: '分区',
  messages: '记录数',
  size: '大小',
  compacted: '压缩',
  noTopics: '日志中还没有主题。',
  partition: '分区',
  offset: '偏移量',
  timestamp: '时间戳',
  key: '键',
  value: '值',
  keyFilter: '键包含',
  tailHelp: '每个分区最新的记录，最新的在前；日志不保存记录头。',
  noRecords: '没有记录。',
  headers: '消息头',
  noHeadersKept: 'postgres 日志不保存记录的消息头：没有可显示的消息头。',
  slot: '复制槽',
  sourceTable: '源表',
  database: '数据库',
  job: '作业',
  lagSeconds: '延迟（时间）',
  retainedWal: '保留的 WAL',
  lagBytes: '延迟（WAL）',
  confirmedLsn: '已确认 LSN',
  confirmedLsnHelp: '复制槽的 confirmed_flush_lsn：作业已提交所读数据的 WAL 位置',
  noSlots: '没有运行中的作业读取 postgres-cdc 表。',
  notReported: '源数据库没有报告这个复制槽（无法连接、响应太慢，或复制槽已不存在）。',
  walRetained: '这个复制槽保留的 WAL 超过了',
  live: '实时',
  reconnecting: '正在重连…',
  instance: '实例',
  uptime: '运行时间',
  cpuCores: 'CPU 核数',
  memory: '内存（RSS / 堆）',
  jobsByState: '各状态作业数',
  running: '运行中',
  finished: '已完成',
  cancelled: '已取消',
  failed: '已失败',
  log: '日志',
  databases: '使用中的数据库',
  noDatabases: '没有作业读写数据库。',
  versions: '版本',
  rivuletVersion: 'Rivulet',
  flinkDialect: 'Flink SQL 与 REST 方言',
  name: '名称',
  state: '状态',
  startTime: '开始时间',
  duration: '持续时间',
  recordsIn: '输入记录',
  recordsOut: '输出记录',
  noJobs: '还没有作业。',
  jobNotFound: '引擎中没有这个作业。',
  cancel: '取消',
  stop: '停止',
  confirmCancel: '要永久取消这个作业吗？',
  restarts: '重启次数',
  worker: '工作线程',
  checkpoints: '检查点（提交）',
  deadLetters: '死信',
  pendingOutput: '待提交输出',
  graph: '算子图',
  throughput: '吞吐量（条/秒）',
  latencyChart: '从源提交到本作业提交的延迟，最近 10 秒（毫秒）',
  latencyChartHelp: '最近 10 秒 rivulet_source_to_commit_latency_seconds 的百分位数',
  perSecond: '/秒',
  latency: 'p50 / p99',
  latencyHelp: '从变更在源数据库提交到在此处理完毕的时间',
  pending: '待提交',
  busy: '繁忙',
  busyHelp: '最近几秒中处理数据所占的比例（Flink 的 busyTimeMsPerSecond）；汇：写入与提交',
  backPressured: '反压',
  backPressuredHelp: '最近几秒中源等待其交出数据提交完成所占的比例（Flink 的 backPressuredTimeMsPerSecond）',
  stateBytes: '状态',
  stateHelp: '算子键控状态在内存中（估算）与溢写到磁盘的字节数',
  spilled: '溢写',
  exceptions: '异常',
  noExceptions: '没有失败。',
  failureCause: '失败原因',
  script: 'SQL',
  completedAt: '完成时间',
  checkpoint: '检查点',
  noCheckpoints: '还没有提交。',
  committedRecords: '记录',
  committedRecordsHelp: '本次提交持久化的输出变更数',
  committedPositions: '源位置',
  noChartData: '还没有数据。',
  tokenTitle: 'REST 令牌',
  tokenHelp: '取消、停止和提交作业需要实例的令牌：粘贴 <data-dir>/rest-token 的内容。令牌只保存在当前标签页。',
  tokenSave: '保存',
  tokenSet: '已设置令牌',
  tokenMissing: '未设置令牌',
  tokenForget: '清除',
  editor: '脚本',
  variables: '变量（-D），每行一个 NAME=VALUE',
  jobName: '脚本名称',
  explain: '执行计划',
  submit: '提交',
  submitted: '已提交：',
  fromScratch: '从头读取',
  explaining: '正在生成计划…',
  needsToken: '请先设置令牌（右上角）。',
};

const LANG_KEY = 'rivulet-lang';

/** The language chosen with the switch, else the browser's first language that is zh or en. */
export function initialLang(): Lang {
  const chosen = localStorage.getItem(LANG_KEY);
  if (chosen === 'en' || chosen === 'zh') return chosen;
  for (const language of navigator.languages ?? [navigator.language]) {
    if (language.toLowerCase().startsWith('zh')) return 'zh';
    if (language.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

export function rememberLang(lang: Lang): void {
  localStorage.setItem(LANG_KEY, lang);
}

/** The browser's own locale when it is of the language shown (en-GB dates for an en-GB browser), else a default. */
function localeOf(lang: Lang): string {
  const own = navigator.languages?.find((language) => language.toLowerCase().startsWith(lang));
  return own ?? (lang === 'zh' ? 'zh-CN' : 'en-US');
}

export interface Texts {
  readonly lang: Lang;
  t(key: Key): string;
  number(n: number): string;
  time(epochMillis: number): string;
  duration(millis: number): string;
  bytes(n: number): string;
}

export function texts(lang: Lang): Texts {
  const locale = localeOf(lang);
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const times = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' });
  const unit = (value: number, name: 'day' | 'hour' | 'minute' | 'second' | 'millisecond') =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'narrow' }).format(value);
  return {
    lang,
    t: (key) => (lang === 'zh' ? ZH[key] : EN[key]),
    number: (n) => numbers.format(n),
    time: (epochMillis) => (epochMillis > 0 ? times.format(epochMillis) : '—'),
    duration: (millis) => {
      if (millis < 1000) return unit(Math.round(millis), 'millisecond');
      const seconds = Math.floor(millis / 1000);
      const parts: string[] = [];
      const days = Math.floor(seconds / 86400);
      const hours = Math.floor((seconds % 86400) / 3600);
      const minutes = Math.floor((seconds % 3600) / 60);
      if (days > 0) parts.push(unit(days, 'day'));
      if (hours > 0) parts.push(unit(hours, 'hour'));
      if (minutes > 0 && days === 0) parts.push(unit(minutes, 'minute'));
      if (days === 0 && hours === 0) parts.push(unit(seconds % 60, 'second'));
      return parts.join(' ');
    },
    bytes: (n) => {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let value = n;
      let i = 0;
      while (value >= 1024 && i < units.length - 1) {
        value /= 1024;
        i++;
      }
      return `${numbers.format(value)} ${units[i]}`;
    },
  };
}

export const TextsContext = createContext<Texts>(texts('en'));

export function useTexts(): Texts {
  return useContext(TextsContext);
}
