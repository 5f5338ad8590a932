import { ParkingStore } from '@yecai/parking';
import { Ledger } from '@yecai/sink-kingdee';
import { metricValue } from '@yecai/test-harness';
import type { Pipeline } from './pipeline';

/** How a JST document type travels: the mapping flows that read it and the canonical types the sink posts. */
export const JST_FLOWS: { jstType: string; mappingFlows: string[]; canonicals: string[]; label: string }[] = [
  { jstType: 'sales_outstock', mappingFlows: ['jushuitan/sales_outstock'], canonicals: ['sales_outstock'], label: '销售出库 sales out-stock' },
  { jstType: 'aftersale', mappingFlows: ['jushuitan/sales_return'], canonicals: ['sales_return'], label: '销售退货 sales return' },
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
  /** Whether mapping has a rule for it (otherwise its raw documents wait in the raw topic). */
  configured: boolean;
}

export interface PipelineSummary {
  flows: FlowSummary[];
  /** Distinct reasons with counts, as a person reads them. */
  reasons: { stage: 'mapping' | 'sink'; level: number; count: number; reason: string }[];
  /** Mapping → Kingdee posted latency (ms) of posted bills. */
  latency: { p50: number; p99: number; samples: number } | undefined;
  kingdeeBills: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Reads the pipeline's state from the services' metrics, the parking store, the sink ledger and the emulators. */
export async function summarize(pipeline: Pipeline): Promise<PipelineSummary> {
  const [sourceMetrics, mappingMetrics] = await Promise.all([
    pipeline.services.source.metrics().catch(() => ''),
    pipeline.services.mapping.metrics().catch(() => ''),
  ]);
  const available = pipeline.available();
  const ledger = new Ledger(pipeline.db).entries;
  const parking = new ParkingStore(pipeline.db);

  const ledgerCounts = new Map<string, number>();
  for (const row of await ledger.aggregate<{ _id: { t: string; s: string }; n: number }>([{ $group: { _id: { t: '$documentType', s: '$state' }, n: { $sum: 1 } } }]).toArray()) {
    ledgerCounts.set(`${row._id.t}/${row._id.s}`, row.n);
  }
  const configuredFlows = new Set(
    [...mappingMetrics.matchAll(/yecai_mapping_documents_total\{[^}]*flow="([^"]+)"/g)].map((match) => match[1]!),
  );

  const flows: FlowSummary[] = JST_FLOWS.filter((flow) => available[flow.jstType] !== undefined).map((flow) => {
    const ledgerOf = (state: string) => flow.canonicals.reduce((sum, type) => sum + (ledgerCounts.get(`${type}/${state}`) ?? 0), 0);
    const mappingOf = (outcome: string) =>
      flow.mappingFlows.reduce((sum, name) => sum + metricValue(mappingMetrics, 'yecai_mapping_documents_total', { flow: name, outcome }), 0);
    return {
      label: flow.label,
      available: available[flow.jstType] ?? 0,
      fetched: metricValue(sourceMetrics, 'yecai_source_documents_total', { stream: flow.jstType }),
      mapped: mappingOf('mapped'),
      filtered: mappingOf('filtered'),
      parkedInMapping: mappingOf('parked'),
      posted: ledgerOf('POSTED'),
      parkedInSink: ledgerOf('PARKED'),
      pending: ledgerOf('REJECTED'),
      inFlight: ledgerOf('PENDING') + ledgerOf('IN_DOUBT'),
      configured: flow.mappingFlows.some((name) => configuredFlows.has(name)),
    };
  });

  const reasons: PipelineSummary['reasons'] = [];
  const openParked = await parking.list({ status: 'OPEN', limit: 100_000 });
  const mappingReasons = new Map<string, { level: number; count: number }>();
  for (const entry of openParked) {
    const current = mappingReasons.get(entry.reasonZh) ?? { level: entry.level, count: 0 };
    current.count += 1;
    mappingReasons.set(entry.reasonZh, current);
  }
  for (const [reason, { level, count }] of mappingReasons) reasons.push({ stage: 'mapping', level, count, reason });
  for (const row of await ledger
    .aggregate<{ _id: { level: number; message: string }; n: number }>([
      { $match: { state: { $in: ['PARKED', 'REJECTED'] } } },
      { $group: { _id: { level: '$problem.level', message: '$problem.message' }, n: { $sum: 1 } } },
    ])
    .toArray()) {
    reasons.push({ stage: 'sink', level: row._id.level, count: row.n, reason: String(row._id.message) });
  }
  reasons.sort((a, b) => b.count - a.count);

  const latencies: number[] = [];
  for await (const entry of ledger.find({ state: 'POSTED' }, { projection: { 'canonical.mappedAt': 1, history: 1 } })) {
    const postedAt = entry.history.find((transition) => transition.to === 'POSTED')?.at;
    const mappedAt = Number((entry.canonical as { mappedAt?: unknown } | undefined)?.mappedAt);
    if (postedAt && Number.isFinite(mappedAt)) latencies.push(new Date(postedAt).getTime() - mappedAt);
  }
  latencies.sort((a, b) => a - b);

  return {
    flows,
    reasons,
    latency: latencies.length ? { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length } : undefined,
    kingdeeBills: [...pipeline.kingdee.state.bills.values()].reduce((total, form) => total + form.size, 0),
  };
}

/**
 * True once every configured flow has accounted for every document fetched (mapped, filtered or parked; and every
 * mapped one posted, parked or pending in the sink), and the source has fetched nothing new since `previous`.
 * (The source system may hold documents no stream asks for, e.g. other statuses, so "fetched = held" is no test.)
 */
export function settled(summary: PipelineSummary, previous: PipelineSummary | undefined): boolean {
  if (!previous) return false;
  return summary.flows.every((flow, index) => {
    if (flow.fetched === 0 || flow.fetched !== previous.flows[index]?.fetched) return false;
    if (!flow.configured) return true;
    const mappedOut = flow.mapped + flow.filtered + flow.parkedInMapping;
    const sinkDone = flow.posted + flow.parkedInSink + flow.pending;
    return mappedOut >= flow.fetched && flow.inFlight === 0 && sinkDone >= flow.mapped;
  });
}

/** The table a person reads at the end of a run (Chinese first, English beside). */
export function formatSummary(summary: PipelineSummary): string {
  const lines: string[] = [];
  const header = ['流程 flow', '源单 in JST', '已拉取 fetched', '已映射 mapped', '已过滤 filtered', '映射搁置 parked@map', '已过账 posted', '金蝶搁置 parked@sink', '待处理 pending'];
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
  lines.push('');
  if (summary.reasons.length) {
    lines.push('搁置与待处理原因 parked / pending reasons:');
    for (const reason of summary.reasons) lines.push(`  [${reason.stage} · level ${reason.level}] ×${reason.count}  ${reason.reason}`);
  } else {
    lines.push('没有搁置或待处理的单据 nothing parked or pending');
  }
  if (summary.latency) {
    lines.push(`映射→金蝶过账延迟 mapping→Kingdee latency: p50 ${summary.latency.p50} ms, p99 ${summary.latency.p99} ms (${summary.latency.samples} bills)`);
  }
  lines.push(`金蝶模拟器中的单据 bills in the Kingdee emulator: ${summary.kingdeeBills}`);
  return lines.join('\n');
}

/** Display width: CJK characters take two columns in a terminal. */
function width(text: string): number {
  let total = 0;
  for (const char of text) total += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(char) ? 2 : 1;
  return total;
}
const padEnd = (text: string, to: number) => text + ' '.repeat(Math.max(0, to - width(text)));
const padStart = (text: string, to: number) => ' '.repeat(Math.max(0, to - width(text))) + text;
