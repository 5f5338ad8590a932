import type { Collection, Document } from 'mongodb';
import { FilteredStore, ParkingStore } from '@yecai/parking';
import { SYSTEM_LABELS } from '@yecai/master-data';
import { Ledger } from '@yecai/sink-kingdee';
import { metricValue } from './service-process';
import type { Pipeline } from './pipeline';
import type { FinanceTarget } from './targets';

/** How a JST document type travels: the mapping flows that read it and the canonical types the sink posts. */
export const JST_FLOWS: { jstType: string; mappingFlows: string[]; canonicals: string[]; label: string }[] = [
  { jstType: 'sales_outstock', mappingFlows: ['jushuitan/sales_outstock'], canonicals: ['sales_outstock'], label: '销售出库 sales out-stock' },
  { jstType: 'aftersale_received', mappingFlows: ['jushuitan/sales_return'], canonicals: ['sales_return'], label: '销售退货 sales return' },
  { jstType: 'purchase_in', mappingFlows: ['jushuitan/purchase_instock'], canonicals: ['purchase_instock'], label: '采购入库 purchase in' },
  { jstType: 'purchase_out', mappingFlows: ['jushuitan/purchase_return'], canonicals: ['purchase_return'], label: '采购退货 purchase return' },
  {
    jstType: 'other_inout',
    mappingFlows: ['jushuitan/other_instock', 'jushuitan/other_outstock'],
    canonicals: ['other_instock', 'other_outstock'],
    label: '其他出入库 other in/out',
  },
  { jstType: 'allocate', mappingFlows: ['jushuitan/transfer'], canonicals: ['transfer'], label: '调拨 transfer' },
  { jstType: 'stock_count', mappingFlows: ['jushuitan/stock_count'], canonicals: ['stock_count'], label: '盘点 stock-take' },
];

/** How a source document type travels, whichever source: its stream, the mapping flows reading it, what the sink posts. */
export interface SourceFlow {
  sourceType: string;
  mappingFlows: string[];
  canonicals: string[];
  label: string;
}

/** The 旺店通 streams (document types of services/source-wangdiantong) and their flows. */
export const WDT_FLOWS: SourceFlow[] = [
  { sourceType: 'sales_outstock', mappingFlows: ['wangdiantong/sales_outstock'], canonicals: ['sales_outstock'], label: '销售出库 sales out-stock' },
  { sourceType: 'sales_return', mappingFlows: ['wangdiantong/sales_return'], canonicals: ['sales_return'], label: '退货入库 sales return' },
  { sourceType: 'purchase_instock', mappingFlows: ['wangdiantong/purchase_instock'], canonicals: ['purchase_instock'], label: '采购入库 purchase in' },
  { sourceType: 'purchase_return', mappingFlows: ['wangdiantong/purchase_return'], canonicals: ['purchase_return'], label: '采购退货 purchase return' },
  { sourceType: 'other_instock', mappingFlows: ['wangdiantong/other_instock'], canonicals: ['other_instock'], label: '其他入库 other in' },
  { sourceType: 'other_outstock', mappingFlows: ['wangdiantong/other_outstock'], canonicals: ['other_outstock'], label: '其他出库 other out' },
  { sourceType: 'transfer', mappingFlows: ['wangdiantong/transfer'], canonicals: ['transfer'], label: '调拨 transfer' },
  { sourceType: 'stock_count', mappingFlows: ['wangdiantong/stock_count'], canonicals: ['stock_count'], label: '盘点 stock-take' },
  { sourceType: 'assembly', mappingFlows: ['wangdiantong/assembly'], canonicals: ['assembly'], label: '组装拆卸 assembly' },
  { sourceType: 'material', mappingFlows: ['wangdiantong/material'], canonicals: ['material'], label: '物料 material' },
  { sourceType: 'customer', mappingFlows: ['wangdiantong/customer'], canonicals: ['customer'], label: '客户 customer' },
  { sourceType: 'warehouse', mappingFlows: ['wangdiantong/warehouse'], canonicals: ['warehouse'], label: '仓库 warehouse' },
];

/** What summarize reads of a running pipeline (the JST Pipeline and the WDT pipeline both have it). */
export type SummarizedPipeline = Pick<Pipeline, 'services' | 'db' | 'kingdee' | 'available'> &
  Partial<Pick<Pipeline, 'notRequested' | 'ledgerPrefix' | 'targetDocuments' | 'target'>>;

export interface FlowSummary {
  label: string;
  available: number;
  fetched: number;
  mapped: number;
  filtered: number;
  parkedInMapping: number;
  posted: number;
  parkedInSink: number;
  pending: number;
  inFlight: number;
  /** Documents the source system holds in statuses its query does not return (not synced by design), per status. */
  notRequested: Record<string, number>;
  /** Whether mapping has a rule for it (otherwise its raw documents wait in the raw topic). */
  configured: boolean;
  /** Whether the sink posts what it maps (false: canonical events stay on their topic for another consumer). */
  sinkPosts: boolean;
}

/** Parked or pending documents of one kind: one stage, level and code, however many bills or ids they name. */
export interface ReasonGroup {
  stage: 'mapping' | 'sink';
  level: number;
  code: string;
  /** 'parked' waits for a person; 'pending' is retried by the sink on its ladder (level 2). */
  state: 'parked' | 'pending';
  count: number;
  /** One of the reasons, as the first document of the group gave it. */
  example: string;
  /** Master data whose absence parked them (mapping), entity → codes. */
  missing: Record<string, string[]>;
}

export interface PipelineSummary {
  /** The finance system the run posts to (the summary's words for the sink side follow it). */
  target: FinanceTarget;
  flows: FlowSummary[];
  /** Parked and pending documents grouped by stage, level and code, largest group first. */
  reasons: ReasonGroup[];
  /** Mapping → Kingdee posted latency (ms) of posted bills. */
  latency: { p50: number; p99: number; samples: number } | undefined;
  /** Documents in the target system: Kingdee bills, or YonSuite documents when the run posts there. */
  kingdeeBills: number;
  /** The source's largest cursor lag (now − cursor) over its streams, in seconds; undefined before it reports. */
  sourceCursorLagS: number | undefined;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Reads the pipeline's state from the services' metrics, the parking store, the sink ledger and the emulators. */
export async function summarize(
  pipeline: SummarizedPipeline,
  sourceFlows: SourceFlow[] = JST_FLOWS.map((flow) => ({ ...flow, sourceType: flow.jstType })),
): Promise<PipelineSummary> {
  const [sourceMetrics, mappingMetrics] = await Promise.all([
    pipeline.services.source.metrics().catch(() => ''),
    pipeline.services.mapping.metrics().catch(() => ''),
  ]);
  const available = pipeline.available();
  const notRequested = pipeline.notRequested?.() ?? {};
  const ledger = new Ledger(pipeline.db, pipeline.ledgerPrefix);
  const entries = await ledger.list({}, Number.MAX_SAFE_INTEGER, 0);
  const parking = new ParkingStore(pipeline.db);
  // Filtered and parked documents are counted from their records (one per document version, one per parked
  // message): the mapping's counters count handling, and a chunk replayed after an aborted transaction (a
  // rebalance under load) is handled twice.
  const countByFlow = async <T extends Document>(collection: Collection<T>, match: Document) => {
    const counts = new Map<string, number>();
    const groups = collection.aggregate<{ _id: string | null; count: number }>([
      { $match: match },
      { $group: { _id: '$flow', count: { $sum: 1 } } },
    ]);
    for await (const { _id, count } of groups) counts.set(_id ?? 'none', count);
    return counts;
  };
  const filteredByFlow = await countByFlow(new FilteredStore(pipeline.db).collection, {});
  const parkedByFlow = await countByFlow(parking.collection, { stage: 'mapping' });
  const recordsOf = (counts: Map<string, number>, flow: SourceFlow) =>
    flow.mappingFlows.reduce((sum, name) => sum + (counts.get(name) ?? 0), 0);

  const ledgerCounts = new Map<string, number>();
  for (const entry of entries) {
    const key = `${entry.documentType}/${entry.state}`;
    ledgerCounts.set(key, (ledgerCounts.get(key) ?? 0) + 1);
  }
  const configuredFlows = new Set(
    [...mappingMetrics.matchAll(/yecai_mapping_documents_total\{[^}]*flow="([^"]+)"/g)].map((match) => match[1]!),
  );

  const flows: FlowSummary[] = sourceFlows.filter((flow) => available[flow.sourceType] !== undefined).map((flow) => {
    const ledgerOf = (state: string) => flow.canonicals.reduce((sum, type) => sum + (ledgerCounts.get(`${type}/${state}`) ?? 0), 0);
    const mappingOf = (outcome: string) =>
      flow.mappingFlows.reduce((sum, name) => sum + metricValue(mappingMetrics, 'yecai_mapping_documents_total', { flow: name, outcome }), 0);
    return {
      label: flow.label,
      available: available[flow.sourceType] ?? 0,
      notRequested: notRequested[flow.sourceType] ?? {},
      fetched: metricValue(sourceMetrics, 'yecai_source_documents_total', { stream: flow.sourceType }),
      mapped: mappingOf('mapped'),
      filtered: recordsOf(filteredByFlow, flow),
      parkedInMapping: recordsOf(parkedByFlow, flow),
      posted: ledgerOf('POSTED'),
      parkedInSink: ledgerOf('PARKED'),
      pending: ledgerOf('REJECTED'),
      inFlight: ledgerOf('PENDING') + ledgerOf('IN_DOUBT'),
      configured: flow.mappingFlows.some((name) => configuredFlows.has(name)),
      sinkPosts: flow.canonicals.length > 0,
    };
  });

  const groups = new Map<string, ReasonGroup>();
  const add = (group: Omit<ReasonGroup, 'count' | 'missing'>, missing: { entity: string; key: string }[] = []) => {
    const id = `${group.stage}|${group.state}|${group.level}|${group.code}`;
    const current = groups.get(id) ?? { ...group, count: 0, missing: {} };
    current.count += 1;
    for (const { entity, key } of missing) {
      const code = key.includes('/') ? key.slice(key.indexOf('/') + 1) : key; // keys are `<system>/<code>`
      const codes = (current.missing[entity] ??= []);
      if (!codes.includes(code)) codes.push(code);
    }
    groups.set(id, current);
  };
  for (const entry of await parking.list({ status: 'OPEN', limit: 100_000 })) {
    add({ stage: 'mapping', state: 'parked', level: entry.level, code: entry.code, example: entry.reasonZh.includes(entry.reasonEn) ? entry.reasonZh : `${entry.reasonZh} (${entry.reasonEn})` }, entry.missing);
  }
  for (const entry of entries) {
    if ((entry.state !== 'PARKED' && entry.state !== 'REJECTED') || !entry.problem) continue;
    add({ stage: 'sink', state: entry.state === 'PARKED' ? 'parked' : 'pending', level: entry.problem.level, code: entry.problem.code, example: entry.problem.message });
  }
  const reasons = [...groups.values()].sort((a, b) => b.count - a.count);

  const latencies: number[] = [];
  // A POSTED entry is not written again, so its updatedAt is when Kingdee had the bill.
  for (const entry of await ledger.current({ state: 'POSTED' })) {
    const mappedAt = Number((entry.canonical as { mapping?: { mappedAt?: unknown } } | undefined)?.mapping?.mappedAt);
    if (Number.isFinite(mappedAt)) latencies.push(new Date(entry.updatedAt).getTime() - mappedAt);
  }
  latencies.sort((a, b) => a - b);

  return {
    target: pipeline.target ?? 'kingdee',
    flows,
    reasons,
    latency: latencies.length ? { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length } : undefined,
    kingdeeBills: pipeline.targetDocuments
      ? [...pipeline.targetDocuments().values()].reduce((total, form) => total + [...form.values()].reduce((sum, n) => sum + n, 0), 0)
      : [...pipeline.kingdee.state.bills.values()].reduce((total, form) => total + form.size, 0),
    sourceCursorLagS: maxSample(sourceMetrics, 'yecai_source_cursor_lag_seconds'),
  };
}

/**
 * True once every configured flow has accounted for every document fetched (mapped, filtered or parked; and every
 * mapped one posted, parked or pending in the sink), and the source has fetched nothing new since `previous`.
 * (The source system may hold documents no stream asks for, e.g. other statuses, so "fetched = held" is no test.)
 */
export function settled(summary: PipelineSummary, previous: PipelineSummary | undefined): boolean {
  if (!previous) return false;
  // The source has caught up with the present on every stream (a backlog day leaves hours of lag until then).
  if (summary.sourceCursorLagS === undefined || summary.sourceCursorLagS > CAUGHT_UP_LAG_S) return false;
  return summary.flows.every((flow, index) => {
    if (flow.fetched !== previous.flows[index]?.fetched) return false;
    if (!flow.configured) return true;
    const mappedOut = flow.mapped + flow.filtered + flow.parkedInMapping;
    const sinkDone = flow.posted + flow.parkedInSink + flow.pending;
    return mappedOut >= flow.fetched && flow.inFlight === 0 && (!flow.sinkPosts || sinkDone >= flow.mapped);
  });
}

export interface SettleOptions {
  /** Give up after this long (the result then says settled: false). */
  timeoutMs: number;
  /** Pause between two samples. */
  intervalMs?: number;
  /** Every sample, e.g. to print progress. */
  onSample?: (summary: PipelineSummary, elapsedMs: number) => void;
  /** Asked after every sample: true ends the wait early (Ctrl-C). */
  interrupted?: () => boolean;
}

/**
 * Samples the pipeline until the day is accounted for (`settled`), the time is up or the caller interrupts: what
 * `yecai run` waits for and what the end-to-end tests assert on, so both read the same outcome.
 */
export async function waitUntilSettled(
  pipeline: SummarizedPipeline,
  options: SettleOptions,
  sourceFlows?: SourceFlow[],
): Promise<{ summary: PipelineSummary; settled: boolean }> {
  const started = Date.now();
  let previous: PipelineSummary | undefined;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 3_000));
    const summary = await summarize(pipeline, sourceFlows);
    options.onSample?.(summary, Date.now() - started);
    if (settled(summary, previous)) return { summary, settled: true };
    if (options.interrupted?.() || Date.now() - started > options.timeoutMs) return { summary, settled: false };
    previous = summary;
  }
}

/** A stream whose cursor is within this of now has read everything there is (windows settle behind now). */
const CAUGHT_UP_LAG_S = 900;

function maxSample(text: string, name: string): number | undefined {
  let max: number | undefined;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)$`, 'gm'))) {
    const value = Number(match[1]);
    if (Number.isFinite(value)) max = max === undefined ? value : Math.max(max, value);
  }
  return max;
}

/** The table a person reads at the end of a run (Chinese first, English beside). */
export function formatSummary(summary: PipelineSummary): string {
  const lines: string[] = [];
  const target = TARGET_WORDS[summary.target];
  const header = ['流程 flow', '源单 in JST', '已拉取 fetched', '已映射 mapped', '已过滤 filtered', '映射搁置 parked@map', '已过账 posted', `${target.zh}搁置 parked@sink`, '待处理 pending'];
  const rows = summary.flows.map((flow) => [
    flow.configured ? flow.label : `${flow.label} (未配置映射规则 no rule)`,
    flow.available,
    flow.fetched,
    flow.mapped,
    flow.filtered,
    flow.parkedInMapping,
    flow.posted,
    flow.parkedInSink,
    flow.pending,
  ].map(String));
  const widths = header.map((title, i) => Math.max(width(title), ...rows.map((row) => width(row[i]!))));
  const format = (cells: string[]) => cells.map((cell, i) => (i === 0 ? padEnd(cell, widths[i]!) : padStart(cell, widths[i]!))).join('  ');
  lines.push(format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format));
  // Documents no query returns are counted apart, so "in JST" vs "fetched" never hides a loss.
  for (const flow of summary.flows) {
    const statuses = Object.entries(flow.notRequested);
    if (statuses.length === 0) continue;
    const count = statuses.reduce((sum, [, n]) => sum + n, 0);
    lines.push(
      `  ${flow.label}: 另有 ${count} 张单据的状态接口默认不返回，按规则不同步 ${count} more in statuses the API does not return by default, not synced by design (${statuses.map(([status, n]) => `${status} ${n}`).join(', ')})`,
    );
  }
  lines.push('');
  if (summary.reasons.length) {
    lines.push('搁置与待处理（按原因）parked / pending, by reason:');
    for (const group of summary.reasons) {
      const stateLabel = group.stage === 'mapping' ? MAPPING_STATE_LABEL[group.state] : `${target.zh}${group.state === 'parked' ? '搁置' : '待处理'} ${group.state} at ${target.en}`;
      lines.push(`  ${stateLabel} · level ${group.level} · ${group.code}  ×${group.count}`);
      lines.push(`    例 e.g. ${group.example}`);
      const missing = Object.entries(group.missing).map(([entity, codes]) => `${entity} ${codes.join(', ')}`);
      if (missing.length) lines.push(`    缺少 missing: ${missing.join('; ')}`);
      for (const step of nextSteps(group, summary.target)) lines.push(`    下一步 next: ${step}`);
    }
  } else {
    lines.push('没有搁置或待处理的单据 nothing parked or pending');
  }
  if (summary.latency) {
    lines.push(`映射→${target.zh}过账延迟 mapping→${target.en} latency: p50 ${summary.latency.p50} ms, p99 ${summary.latency.p99} ms (${summary.latency.samples} ${target.documents})`);
  }
  lines.push(`${target.zh}模拟器中的单据 ${target.documents} in the ${target.en} emulator: ${summary.kingdeeBills}`);
  return lines.join('\n');
}

const MAPPING_STATE_LABEL = { parked: '映射搁置 parked at mapping', pending: '映射待处理 pending at mapping' } as const;

/** How the summary names each finance target and its sink stage. */
const TARGET_WORDS: Record<FinanceTarget, { zh: string; en: string; documents: string; sinkStage: string }> = {
  kingdee: { ...SYSTEM_LABELS.kingdee, documents: 'bills', sinkStage: 'sink-kingdee' },
  yonyou: { ...SYSTEM_LABELS.yonyou, documents: 'documents', sinkStage: 'sink-yonyou' },
};

/** What a person does about a group of parked or pending documents (docs/operations.md, Exceptions). */
export function nextSteps(group: ReasonGroup, target: FinanceTarget = 'kingdee'): string[] {
  const words = TARGET_WORDS[target];
  if (group.stage === 'mapping' && group.code === 'MISSING_MASTER_DATA') {
    const entities = Object.keys(group.missing).length ? Object.keys(group.missing) : ['<entity>'];
    return [
      ...entities.map((entity) => `补上映射 add the mapping: yecai master-data import ${entity} <file.csv>`),
      '映射服务随后自动重推等待的单据 mapping then re-pushes the documents waiting on it by itself',
    ];
  }
  if (group.stage === 'mapping') {
    return ['修正源单或映射规则后重推 fix the source document or the rule, then re-push: `yecai parked --stage mapping` lists the ids; POST /parked/<id>/repush on the mapping service'];
  }
  if (group.state === 'pending') {
    return [
      `${words.zh}写入服务按阶梯自动重试 the sink retries by itself (1 min, 5 min, 30 min, 2 h); \`yecai pending\` shows the next retry`,
      '解决冲突后 after resolving the conflict: POST /admin/documents/<id>/repush on the sink (now), or …/skip with a reason',
    ];
  }
  return [
    `在${words.zh}补资料（如物料）或修正源单后重推 fix the data in ${words.en} (e.g. create the material) or in the source, then re-push: \`yecai parked --stage ${words.sinkStage}\` lists the ids; POST /admin/documents/<id>/repush on the sink`,
  ];
}

/** Display width: CJK characters take two columns in a terminal. */
function width(text: string): number {
  let total = 0;
  for (const char of text) total += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(char) ? 2 : 1;
  return total;
}
const padEnd = (text: string, to: number) => text + ' '.repeat(Math.max(0, to - width(text)));
const padStart = (text: string, to: number) => ' '.repeat(Math.max(0, to - width(text))) + text;
