// Generates the provisioned Grafana dashboards (dashboards/*.json) from the panel list below, so every dashboard
// shares one layout and datasource convention. `node deploy/grafana/generate.mjs` writes them;
// `--check` fails when the committed JSON differs (scripts/validate-deploy.sh runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const RATE = '$__rate_interval';

/** A panel: `width` of 24 columns; `targets` are [PromQL, legend]. */
function panel(title, kind, targets, options = {}) {
  const { width = 12, height = 8, unit = 'short', description = '', stack = false } = options;
  return {
    title,
    description,
    type: kind,
    datasource: DATASOURCE,
    gridPos: { w: width, h: height },
    fieldConfig: {
      defaults: {
        unit,
        ...(kind === 'timeseries' ? { custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: stack ? 30 : 10, stacking: { mode: stack ? 'normal' : 'none' } } } : {}),
      },
      overrides: [],
    },
    options: kind === 'table' ? { showHeader: true } : { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] } },
    targets: targets.map(([expr, legendFormat, extra = {}], index) => ({ refId: String.fromCharCode(65 + index), datasource: DATASOURCE, expr, legendFormat, ...extra })),
  };
}

function row(title) {
  return { type: 'row', title, collapsed: false, gridPos: { w: 24, h: 1 }, panels: [] };
}

function dashboard(uid, title, description, panels) {
  // Lay panels out left to right, wrapping at 24 columns; rows start a new line.
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  const placed = panels.map((item, index) => {
    const { w, h } = item.gridPos;
    if (item.type === 'row' || x + w > 24) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const gridPos = { x, y, w, h };
    x += w;
    lineHeight = Math.max(lineHeight, h);
    if (item.type === 'row') {
      y += h;
      x = 0;
      lineHeight = 0;
    }
    return { ...item, id: index + 1, gridPos };
  });
  return {
    uid,
    title,
    description,
    tags: ['yecai'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', label: '数据源 datasource', type: 'datasource', query: 'prometheus', current: {}, hide: 0 }],
    },
    annotations: { list: [] },
    links: [{ title: 'yecai', type: 'dashboards', tags: ['yecai'], asDropdown: false }],
    panels: placed,
  };
}

const flows = dashboard('yecai-flows', 'yecai — 业务流 flows', 'Documents per flow and stage, lag and drain ETA, exceptions by level, ledger states.', [
  row('单据 documents per flow per stage'),
  panel('来源 source: 发布的单据 published / min', 'timeseries', [[`sum by (system, stream) (rate(yecai_source_documents_total[${RATE}])) * 60`, '{{system}} {{stream}}']], { width: 8, stack: true }),
  panel('映射 mapping: 结果 outcomes / min', 'timeseries', [[`sum by (flow, outcome) (rate(yecai_mapping_documents_total[${RATE}])) * 60`, '{{flow}} {{outcome}}']], { width: 8, stack: true }),
  panel('金蝶 sink: 结果 outcomes / min', 'timeseries', [[`sum by (form, outcome) (rate(yecai_sink_documents_total[${RATE}])) * 60`, '{{form}} {{outcome}}']], { width: 8, stack: true }),
  row('积压 lag'),
  panel('金蝶 sink 积压 lag by topic', 'timeseries', [[`sum by (topic) (yecai_sink_consumer_lag)`, '{{topic}}']], { width: 12 }),
  panel('预计清空时间 drain ETA', 'stat', [[`sum(yecai_sink_consumer_lag) / clamp_min(sum(rate(yecai_sink_documents_total[15m])), 0.001)`, 'ETA']], {
    width: 6,
    unit: 's',
    description: 'Messages waiting ÷ bills finished per second over the last 15 min.',
  }),
  panel('暂停的分区 paused partitions', 'stat', [[`max by (reason) (yecai_sink_paused_partitions)`, '{{reason}}']], { width: 6 }),
  panel('映射事务耗时 mapping transaction p95', 'timeseries', [[`histogram_quantile(0.95, sum by (le) (rate(yecai_mapping_transaction_seconds_bucket[${RATE}])))`, 'p95']], { width: 12, unit: 's' }),
  panel('主数据缓存命中率 master-data cache hit ratio', 'timeseries', [[`avg by (service) (yecai_mapping_lookup_cache_hit_ratio)`, '{{service}}']], { width: 12, unit: 'percentunit' }),
  row('异常 exceptions'),
  panel('按级别 by level (1 搁置 parked, 2 待定 pending, 3 系统 system) / h', 'timeseries', [
    [`sum by (level) (increase(yecai_sink_documents_total{level!="0"}[1h]))`, 'sink L{{level}}'],
    [`sum by (level) (increase(yecai_mapping_parked_total[1h]))`, 'mapping L{{level}}'],
  ], { width: 12, stack: true }),
  panel('映射搁置原因 mapping parked by code / h', 'timeseries', [[`sum by (flow, code) (increase(yecai_mapping_parked_total[1h]))`, '{{flow}} {{code}}']], { width: 12 }),
  row('账本 ledger'),
  panel('账本状态 ledger states', 'bargauge', [[`max by (state) (yecai_sink_ledger_entries)`, '{{state}}']], { width: 8 }),
  panel('账本状态 ledger by form and state', 'table', [[`max by (form, state) (yecai_sink_ledger_entries)`, '', { format: 'table', instant: true }]], { width: 16 }),
]);

const kingdee = dashboard('yecai-kingdee', 'yecai — 金蝶 Kingdee', 'Kingdee WebAPI latency and outcomes by MsgCode, limiter waits, BatchSave sizes.', [
  panel('延迟 latency p50 / p95 / p99 by operation', 'timeseries', [
    [`histogram_quantile(0.5, sum by (le, operation) (rate(yecai_sink_kingdee_call_seconds_bucket[${RATE}])))`, 'p50 {{operation}}'],
    [`histogram_quantile(0.95, sum by (le, operation) (rate(yecai_sink_kingdee_call_seconds_bucket[${RATE}])))`, 'p95 {{operation}}'],
    [`histogram_quantile(0.99, sum by (le, operation) (rate(yecai_sink_kingdee_call_seconds_bucket[${RATE}])))`, 'p99 {{operation}}'],
  ], { width: 12, unit: 's' }),
  panel('HTTP 调用结果 calls by outcome / min', 'timeseries', [[`sum by (operation, outcome) (rate(yecai_sink_kingdee_call_seconds_count[${RATE}])) * 60`, '{{operation}} {{outcome}}']], { width: 12, stack: true }),
  panel('MsgCode 应答 answers / min', 'timeseries', [[`sum by (operation, msg_code) (rate(yecai_sink_kingdee_msgcode_total[${RATE}])) * 60`, '{{operation}} MsgCode {{msg_code}}']], { width: 12, stack: true }),
  panel('MsgCode 合计 totals in range', 'table', [[`sum by (operation, msg_code) (increase(yecai_sink_kingdee_msgcode_total[$__range]))`, '', { format: 'table', instant: true }]], { width: 12 }),
  panel('限流与退避等待 limiter and backoff wait share', 'timeseries', [[`sum by (operation) (rate(yecai_sink_kingdee_wait_seconds_total[${RATE}]))`, '{{operation}}']], {
    width: 8,
    unit: 's',
    description: 'Seconds per second spent waiting on rate/concurrency limits and retry backoff.',
  }),
  panel('每批单据数 bills per BatchSave', 'timeseries', [[`sum(rate(yecai_sink_batchsave_bills_sum[${RATE}])) / sum(rate(yecai_sink_batchsave_bills_count[${RATE}]))`, 'avg']], { width: 8 }),
  panel('BatchSave 耗时 duration p95', 'timeseries', [[`histogram_quantile(0.95, sum by (le) (rate(yecai_sink_batchsave_seconds_bucket[${RATE}])))`, 'p95']], { width: 8, unit: 's' }),
]);

const yonyou = dashboard('yecai-yonyou', 'yecai — 用友 YonSuite', 'YonSuite OpenAPI latency and outcomes by API path (sink-yonyou); its ledger and pauses are on the flows dashboard.', [
  panel('延迟 latency p50 / p95 / p99 by API', 'timeseries', [
    [`histogram_quantile(0.5, sum by (le, operation) (rate(yecai_sink_yonyou_call_seconds_bucket[${RATE}])))`, 'p50 {{operation}}'],
    [`histogram_quantile(0.95, sum by (le, operation) (rate(yecai_sink_yonyou_call_seconds_bucket[${RATE}])))`, 'p95 {{operation}}'],
    [`histogram_quantile(0.99, sum by (le, operation) (rate(yecai_sink_yonyou_call_seconds_bucket[${RATE}])))`, 'p99 {{operation}}'],
  ], { width: 12, unit: 's' }),
  panel('调用结果 calls by outcome / min', 'timeseries', [[`sum by (operation, outcome) (rate(yecai_sink_yonyou_call_seconds_count[${RATE}])) * 60`, '{{operation}} {{outcome}}']], {
    width: 12,
    stack: true,
    description: 'outcome: http_<status> or an error kind; 60 calls/min per API is the default quota (310046 above it).',
  }),
  panel('调用合计 calls in range', 'table', [[`sum by (operation, outcome) (increase(yecai_sink_yonyou_call_seconds_count[$__range]))`, '', { format: 'table', instant: true }]], { width: 24 }),
]);

const source = dashboard('yecai-source', 'yecai — 来源 sources', 'Source cursor lag, throttles, API outcomes and failed cycles per stream.', [
  panel('游标落后 cursor lag', 'timeseries', [[`max by (system, account, stream) (yecai_source_cursor_lag_seconds)`, '{{system}}/{{account}} {{stream}}']], { width: 12, unit: 's' }),
  panel('被限流 throttled / min', 'timeseries', [[`sum by (system, account, code) (rate(yecai_source_throttled_total[${RATE}])) * 60`, '{{system}}/{{account}} {{code}}']], { width: 12 }),
  panel('API 调用结果 calls by outcome / min', 'timeseries', [[`sum by (system, stream, outcome) (rate(yecai_source_api_calls_total[${RATE}])) * 60`, '{{system}} {{stream}} {{outcome}}']], { width: 12, stack: true }),
  panel('失败的同步周期 failed cycles / h', 'timeseries', [[`sum by (system, stream, code) (increase(yecai_source_cycle_failures_total[1h]))`, '{{system}} {{stream}} {{code}}']], { width: 12 }),
  panel('发布来源 published by origin / min', 'timeseries', [[`sum by (system, stream, origin) (rate(yecai_source_documents_total[${RATE}])) * 60`, '{{system}} {{stream}} {{origin}}']], { width: 24, stack: true }),
]);

const outputs = { 'yecai-flows.json': flows, 'yecai-kingdee.json': kingdee, 'yecai-yonyou.json': yonyou, 'yecai-source.json': source };
const check = process.argv.includes('--check');
let stale = 0;
for (const [file, content] of Object.entries(outputs)) {
  const path = join(here, 'dashboards', file);
  const text = `${JSON.stringify(content, null, 2)}\n`;
  if (check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (current !== text) {
      console.error(`stale: ${path} — run node deploy/grafana/generate.mjs`);
      stale += 1;
    }
  } else {
    writeFileSync(path, text);
  }
}
if (stale) process.exit(1);
console.log(check ? `dashboards up to date (${Object.keys(outputs).length})` : `wrote ${Object.keys(outputs).length} dashboards`);
