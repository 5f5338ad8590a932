/**
 * The comparison: L0 flow × org × period → L1 day × shop × warehouse → L2 document → L3 line, expanding only the
 * partitions whose digests differ, then classifying each difference (classes.ts) with its cause where the ledgers
 * know it. Pure: the datasets come in, the differences and per-partition summaries go out.
 */
import { Decimal } from '@yecai/common';
import { DIFFERENCE_CLASSES, DIFFERENCE_CLASS_NAMES, UNCOUNTED_CLASSES, type DifferenceClass } from './classes';
import {
  AMOUNT_DP,
  QTY_DP,
  differingKeys,
  digestsBy,
  emptyDigest,
  fromUnits,
  l0Key,
  l1Key,
  prepare,
  type Digest,
  type PreparedRow,
} from './digest';
import {
  periodOf,
  refKey,
  type DocumentFacts,
  type LineFacts,
  type MirrorBill,
  type SinkFacts,
  type SourceDocument,
} from './model';

export interface CompareOptions {
  /** YYYY-MM */
  period: string;
  flows: readonly string[];
  org?: string | undefined;
  /** Largest line amount difference still 尾差 (yuan). */
  tolerance: Decimal;
  /** Difference rate under which a partition is 一致 (0.0001 = 0.01 %). */
  threshold: Decimal;
}

export interface CompareInput {
  source: readonly SourceDocument[];
  kingdee: readonly MirrorBill[];
  /** Sink ledger facts by refKey(flow, source id). */
  sink: ReadonlyMap<string, SinkFacts>;
  /** The Kingdee material the master data maps a source SKU to now (undefined: no map record). */
  currentMaterial: (sourceSystem: string, sku: string) => string | undefined;
}

export interface Difference {
  class: DifferenceClass;
  label: string;
  flow: string;
  org: string;
  ref: string;
  /** Source document key, null for a bill without a source document. */
  documentKey: string | null;
  billNos: string[];
  sourceDate: string | null;
  kingdeeDate: string | null;
  shop: string;
  field: string;
  sourceValue: string;
  kingdeeValue: string;
  /** What this difference adds to the amount rate's numerator (0 when not counted). */
  amountDelta: string;
  /** Whether it counts toward the difference rate and verdict (TIMING, TOLERATED, filtered, skipped do not). */
  counted: boolean;
  cause: string;
  action: string;
}

export type Verdict = '一致' | '有差异';

export interface PartitionSummary {
  flow: string;
  /** Kingdee org number, or 合计 for the flow's total row. */
  org: string;
  period: string;
  sourceDocuments: number;
  kingdeeDocuments: number;
  sourceLines: number;
  kingdeeLines: number;
  sourceQty: string;
  kingdeeQty: string;
  sourceAmount: string;
  kingdeeAmount: string;
  amountDifference: string;
  /** Σ|amount differences| / Σ|source amount|. */
  amountRate: string;
  /** (missing + extra + duplicate documents) / source documents. */
  documentRate: string;
  documentDifferences: number;
  duplicates: number;
  verdict: Verdict;
  classes: Record<DifferenceClass, number>;
}

export interface Comparison {
  summaries: PartitionSummary[];
  differences: Difference[];
  levels: {
    l0Partitions: number;
    l0Differing: number;
    l1Partitions: number;
    l1Differing: number;
    documentsExamined: number;
  };
}

export const UNKNOWN_ORG = '未知 unknown';
/** Orders ids given as decimal digits without converting them to numbers (YonSuite ids pass 2^53). */
const compareIds = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
const countsInKingdee = (bill: MirrorBill): boolean => bill.status === 'C' && bill.cancelStatus !== 'B';
const STATUS_LABELS: Record<string, string> = {
  A: '创建 created',
  B: '审核中 submitted',
  C: '已审核 audited',
  D: '重新审核 re-audit',
  Z: '暂存 draft',
};
const abs = (value: Decimal.Value): Decimal => new Decimal(value).abs();

interface Finding {
  class: DifferenceClass;
  field: string;
  sourceValue: string;
  kingdeeValue: string;
  amountDelta: Decimal;
  counted?: boolean;
  cause: string;
  action?: string;
}

export function compare(input: CompareInput, options: CompareOptions): Comparison {
  const inScope = (facts: DocumentFacts) =>
    options.flows.includes(facts.flow) && (!options.org || facts.org === options.org);
  const inPeriod = (facts: DocumentFacts) => periodOf(facts.date) === options.period;
  const sourceByRef = new Map<string, SourceDocument>();
  for (const document of input.source) sourceByRef.set(refKey(document.flow, document.ref), document);
  const billsByRef = new Map<string, MirrorBill[]>();
  for (const bill of input.kingdee) {
    if (!bill.ref) continue;
    const key = refKey(bill.flow, bill.ref);
    billsByRef.set(
      key,
      [...(billsByRef.get(key) ?? []), bill].sort((a, b) => compareIds(String(a.fid), String(b.fid))),
    );
  }
  const materialOf = (document: SourceDocument) => (line: LineFacts) =>
    (line.sku && input.currentMaterial(document.sourceSystem, line.sku)) || line.material;

  const sourceRows = input.source
    .filter((document) => document.mark === 'SYNCED' && inScope(document) && inPeriod(document))
    .map((facts) => prepare(facts, true, materialOf(facts)));
  const kingdeeRows = input.kingdee
    .filter((bill) => inScope(bill) && inPeriod(bill))
    .map((facts) => prepare(facts, countsInKingdee(facts)));

  // L0, then L1 only inside differing L0 partitions, then the documents of differing L1 partitions.
  const sourceL0 = digestsBy(sourceRows, l0Key);
  const kingdeeL0 = digestsBy(kingdeeRows, l0Key);
  const l0Differing = differingKeys(sourceL0, kingdeeL0);
  const sourceL1 = digestsBy(
    sourceRows.filter((row) => l0Differing.has(l0Key(row.facts))),
    l1Key,
  );
  const kingdeeL1 = digestsBy(
    kingdeeRows.filter((row) => l0Differing.has(l0Key(row.facts))),
    l1Key,
  );
  const l1Differing = differingKeys(sourceL1, kingdeeL1);
  const refs = new Set<string>();
  const orphans: MirrorBill[] = [];
  for (const { facts } of sourceRows) if (l1Differing.has(l1Key(facts))) refs.add(refKey(facts.flow, facts.ref));
  for (const { facts } of kingdeeRows) {
    if (!l1Differing.has(l1Key(facts))) continue;
    if (facts.ref) refs.add(refKey(facts.flow, facts.ref));
    else orphans.push(facts);
  }
  // Filtered and mapping-parked documents never reach the digests' source side: each is looked at by itself.
  for (const document of input.source)
    if (document.mark !== 'SYNCED' && inScope(document) && inPeriod(document))
      refs.add(refKey(document.flow, document.ref));

  const differences: Difference[] = [];
  const record = (findings: Finding[], document: SourceDocument | undefined, bills: MirrorBill[]) => {
    const byClass = new Map<DifferenceClass, Finding[]>();
    for (const finding of findings) byClass.set(finding.class, [...(byClass.get(finding.class) ?? []), finding]);
    const anchor = document ?? bills[0]!;
    for (const [name, group] of byClass) {
      const counted = !UNCOUNTED_CLASSES.has(name) && group.every((finding) => finding.counted !== false);
      differences.push({
        class: name,
        label: DIFFERENCE_CLASSES[name].zh,
        flow: anchor.flow,
        org: anchor.org,
        ref: anchor.ref,
        documentKey: document?._id ?? null,
        billNos: bills.map((bill) => bill.billNo),
        sourceDate: document?.date ?? null,
        kingdeeDate: bills[0]?.date ?? null,
        shop: anchor.shop,
        field: group.map((finding) => finding.field).join('; '),
        sourceValue: group.map((finding) => finding.sourceValue).join('; '),
        kingdeeValue: group.map((finding) => finding.kingdeeValue).join('; '),
        amountDelta: counted
          ? group.reduce((sum, finding) => sum.plus(finding.amountDelta), new Decimal(0)).toFixed(2)
          : '0.00',
        counted,
        cause: [...new Set(group.map((finding) => finding.cause))].join('; '),
        action: group[0]!.action ?? DIFFERENCE_CLASSES[name].action,
      });
    }
  };

  for (const key of refs) {
    const document = sourceByRef.get(key);
    const bills = billsByRef.get(key) ?? [];
    if (!document) {
      for (const bill of bills.filter(inPeriod))
        record([extraFinding(bill, 'source document not in the source ledger')], undefined, [bill]);
      continue;
    }
    if (bills.length === 0) {
      if (inPeriod(document)) record([missingFinding(document, input.sink.get(key))], document, []);
      continue;
    }
    const sink = input.sink.get(key);
    const primary = bills.find((bill) => bill.billNo === sink?.billNo) ?? bills[0]!;
    const findings = documentFindings(document, primary, sink, materialOf(document), options.tolerance);
    if (bills.length > 1) findings.push(duplicateFinding(document, primary, bills));
    if (findings.length > 0) record(findings, document, [primary, ...bills.filter((bill) => bill !== primary)]);
  }
  for (const bill of orphans) record([extraFinding(bill, 'no source reference')], undefined, [bill]);

  return {
    summaries: summarize(
      sourceRows,
      kingdeeRows,
      differences,
      options,
      input.source.filter((document) => document.mark === 'PARKED' && inScope(document) && inPeriod(document)),
    ),
    differences: differences.sort(
      (a, b) =>
        DIFFERENCE_CLASS_NAMES.indexOf(a.class) - DIFFERENCE_CLASS_NAMES.indexOf(b.class) ||
        a.flow.localeCompare(b.flow) ||
        a.ref.localeCompare(b.ref),
    ),
    levels: {
      l0Partitions: new Set([...sourceL0.keys(), ...kingdeeL0.keys()]).size,
      l0Differing: l0Differing.size,
      l1Partitions: new Set([...sourceL1.keys(), ...kingdeeL1.keys()]).size,
      l1Differing: l1Differing.size,
      documentsExamined: refs.size + orphans.length,
    },
  };
}

const billAmount = (facts: DocumentFacts): Decimal =>
  facts.lines.reduce((sum, line) => sum.plus(line.amount || '0'), new Decimal(0));

function extraFinding(
  bill: MirrorBill,
  why: 'no source reference' | 'source document not in the source ledger',
): Finding {
  const cause =
    why === 'no source reference'
      ? '无源单号：手工录入或其他集成 · no source reference: entered by hand or by another integration'
      : `源单 ${bill.ref} 不在源账本：源头已删除或属于其他账户 · source document ${bill.ref} is not in the source ledger: deleted at source or another account`;
  return {
    class: 'EXTRA_IN_KINGDEE',
    field: '单据 bill',
    sourceValue: '—',
    kingdeeValue: `${bill.billNo} ${billAmount(bill).toFixed(2)}`,
    amountDelta: billAmount(bill),
    cause,
  };
}

function missingFinding(document: SourceDocument, sink: SinkFacts | undefined): Finding {
  const base = {
    class: 'MISSING_IN_KINGDEE' as const,
    field: '单据 bill',
    sourceValue: `${document.ref} ${billAmount(document).toFixed(2)}`,
    kingdeeValue: '—',
    amountDelta: billAmount(document),
  };
  if (document.mark === 'FILTERED')
    return {
      ...base,
      counted: false,
      cause: `已被规则过滤 · filtered by a rule: ${document.markReason ?? ''}`,
      action: '确认过滤规则符合业务规范 · confirm the filter is intended',
    };
  if (document.mark === 'PARKED')
    return {
      ...base,
      cause: `映射时挂起 · parked at mapping: ${document.markReason ?? ''}`,
      action: '修正主数据或规则后重推 · fix the master data or rule, then re-push (yecai parked)',
    };
  if (!sink)
    return {
      ...base,
      cause: '接收端尚未处理 · not yet seen by the sink (still in Kafka, or the sink is behind)',
      action: '检查 sink 运行状态 · check the sink is running (yecai status)',
    };
  switch (sink.state) {
    case 'PARKED':
      return {
        ...base,
        cause: `已挂起 · parked: ${sink.problem ?? ''}`,
        action: '修正后重推 · fix, then re-push (yecai parked)',
      };
    case 'REJECTED':
      return {
        ...base,
        cause: `待处理 · pending: ${sink.problem ?? ''}`,
        action: '等待自动重试或人工重试 · wait for the retry ladder or retry (yecai pending)',
      };
    case 'PENDING':
    case 'IN_DOUBT':
      return { ...base, cause: '过账中 · being posted', action: '稍后重新对账 · reconcile again shortly' };
    case 'SKIPPED':
      return {
        ...base,
        counted: false,
        cause: `人工跳过 · skipped by ${sink.skipped?.by ?? '?'}: ${sink.skipped?.reason ?? ''}`,
        action: '已由人工决定，无需处理 · decided by a person; nothing to do',
      };
    case 'AGGREGATED':
      return {
        ...base,
        counted: false,
        cause: '已汇总过账 · carried by an aggregated (汇总) bill',
        action: '无需处理 · nothing to do',
      };
    default:
      return {
        ...base,
        cause: `已过账 ${sink.billNo}，金蝶中已不存在（被删除） · posted as ${sink.billNo}, no longer in Kingdee (deleted there)`,
        action:
          '核实删除原因；应存在则在 sink 将其挂起为 DELETED_ON_TARGET 后重推 · find out why it was deleted; if it should exist, re-push it once the sink parks it as DELETED_ON_TARGET (when the document next reaches it)',
      };
  }
}

function duplicateFinding(document: SourceDocument, primary: MirrorBill, bills: MirrorBill[]): Finding {
  const copies = bills.filter((bill) => bill !== primary);
  return {
    class: 'DUPLICATE',
    field: '单据 bill',
    sourceValue: document.ref,
    kingdeeValue: bills.map((bill) => bill.billNo).join(', '),
    amountDelta: copies.reduce((sum, bill) => sum.plus(billAmount(bill)), new Decimal(0)),
    cause: `同一源单在金蝶有 ${bills.length} 张单据（yecai 过账的是 ${primary.billNo}） · ${bills.length} bills carry source document ${document.ref} (yecai posted ${primary.billNo})`,
  };
}

function editCause(document: SourceDocument, bill: MirrorBill, sink: SinkFacts | undefined): string {
  if (sink && sink.postedVersion && sink.postedVersion !== document.contentHash)
    return `源单已更新，yecai 尚未重推新版本 · the source changed after posting; the new version is not posted yet`;
  return `过账后在金蝶中修改（修改时间 ${bill.modifyDate}） · edited in Kingdee after posting (FModifyDate ${bill.modifyDate})`;
}

function documentFindings(
  document: SourceDocument,
  bill: MirrorBill,
  sink: SinkFacts | undefined,
  materialOf: (line: LineFacts) => string,
  tolerance: Decimal,
): Finding[] {
  const findings: Finding[] = [];
  if (document.date !== bill.date) {
    const cause =
      periodOf(document.date) !== periodOf(bill.date)
        ? `金蝶单据记在 ${periodOf(bill.date)} 期 · the bill is booked in period ${periodOf(bill.date)}`
        : '金蝶单据日期与源单不同 · the bill is dated another day';
    findings.push({
      class: 'TIMING',
      field: '日期 date',
      sourceValue: document.date,
      kingdeeValue: bill.date,
      amountDelta: new Decimal(0),
      cause,
    });
  }
  if (!countsInKingdee(bill)) {
    const kingdeeValue = bill.cancelStatus === 'B' ? '已作废 cancelled' : (STATUS_LABELS[bill.status] ?? bill.status);
    const cause =
      bill.cancelStatus === 'B'
        ? '金蝶中已作废 · cancelled in Kingdee'
        : sink && sink.stage !== 'AUDITED'
          ? `审核未完成 · audit not done: ${sink.problem ?? sink.stage}`
          : '过账后在金蝶中被反审核 · un-audited in Kingdee after posting';
    findings.push({
      class: 'STATUS_MISMATCH',
      field: '单据状态 status',
      sourceValue: '已审核 audited',
      kingdeeValue,
      amountDelta: new Decimal(0),
      cause,
    });
  }
  for (const [field, sourceValue, kingdeeValue] of [
    ['组织 org', document.org, bill.org],
    ['客户 shop', document.shop, bill.shop],
  ] as const) {
    if (sourceValue !== kingdeeValue)
      findings.push({
        class: 'MAPPING',
        field,
        sourceValue,
        kingdeeValue,
        amountDelta: new Decimal(0),
        cause: '金蝶单据的组织/客户与源单映射不同 · the bill has another org or customer than the source maps to',
      });
  }
  const count = Math.max(document.lines.length, bill.lines.length);
  for (let index = 0; index < count; index += 1) {
    const sourceLine = document.lines[index];
    const kingdeeLine = bill.lines[index];
    const row = `第${index + 1}行 line ${index + 1}`;
    if (!sourceLine || !kingdeeLine) {
      const line = (sourceLine ?? kingdeeLine)!;
      findings.push({
        class: 'QTY_MISMATCH',
        field: `${row} 行 line`,
        sourceValue: sourceLine ? `${sourceLine.material} × ${sourceLine.qty}` : '无此行 no line',
        kingdeeValue: kingdeeLine ? `${kingdeeLine.material} × ${kingdeeLine.qty}` : '无此行 no line',
        amountDelta: abs(line.amount || '0'),
        cause: editCause(document, bill, sink),
      });
      continue;
    }
    const expected = materialOf(sourceLine);
    if (expected !== kingdeeLine.material) {
      const changed = expected !== sourceLine.material;
      const cause = changed
        ? `过账后映射变更：${sourceLine.sku ?? ''} 过账时映射为 ${sourceLine.material}，现映射为 ${expected} · map changed after posting: ${sourceLine.sku ?? ''} was ${sourceLine.material}, now ${expected}`
        : '金蝶单据物料与源单映射不同 · the bill has another material than the source maps to';
      findings.push({
        class: 'MAPPING',
        field: `${row} 物料 material`,
        sourceValue: expected,
        kingdeeValue: kingdeeLine.material,
        amountDelta: new Decimal(0),
        cause,
      });
    }
    for (const [field, sourceValue, kingdeeValue] of [
      ['仓库 warehouse', sourceLine.warehouse, kingdeeLine.warehouse],
      ['批号 lot', sourceLine.lot, kingdeeLine.lot],
    ] as const) {
      if (sourceValue !== kingdeeValue)
        findings.push({
          class: 'MAPPING',
          field: `${row} ${field}`,
          sourceValue,
          kingdeeValue,
          amountDelta: new Decimal(0),
          cause: '金蝶单据的仓库/批号与源单不同 · the bill has another warehouse or lot than the source',
        });
    }
    const amountDifference = new Decimal(kingdeeLine.amount || '0').minus(sourceLine.amount || '0');
    if (!new Decimal(kingdeeLine.qty || '0').eq(sourceLine.qty || '0')) {
      // The amount follows the quantity: one finding, both shown, its amount difference counted.
      findings.push({
        class: 'QTY_MISMATCH',
        field: `${row} 基本数量 base qty`,
        sourceValue: `${sourceLine.qty} (${new Decimal(sourceLine.amount || '0').toFixed(2)})`,
        kingdeeValue: `${kingdeeLine.qty} (${new Decimal(kingdeeLine.amount || '0').toFixed(2)})`,
        amountDelta: amountDifference.abs(),
        cause: editCause(document, bill, sink),
      });
    } else if (!amountDifference.isZero()) {
      const tolerated = amountDifference.abs().lte(tolerance);
      findings.push({
        class: tolerated ? 'TOLERATED' : 'AMOUNT_MISMATCH',
        field: `${row} 价税合计 amount`,
        sourceValue: new Decimal(sourceLine.amount || '0').toFixed(4),
        kingdeeValue: new Decimal(kingdeeLine.amount || '0').toFixed(4),
        amountDelta: amountDifference.abs(),
        cause: tolerated
          ? `舍入尾差 ${amountDifference.toFixed(4)}（容差 ${tolerance.toFixed(2)}） · rounding ${amountDifference.toFixed(4)} within tolerance ${tolerance.toFixed(2)}`
          : editCause(document, bill, sink),
      });
    }
  }
  return findings;
}

function summarize(
  source: PreparedRow<DocumentFacts>[],
  kingdee: PreparedRow<DocumentFacts>[],
  differences: Difference[],
  options: CompareOptions,
  /** Source documents parked at mapping: outside the digests (no canonical facts), still source documents to count. */
  parkedAtMapping: DocumentFacts[],
): PartitionSummary[] {
  // Filtered and mapping-parked documents have no org (mapping never resolved one): their own row.
  const orgKey = (facts: { flow: string; org: string }) => `${facts.flow}|${facts.org || UNKNOWN_ORG}`;
  const flowKey = (facts: { flow: string }) => `${facts.flow}|合计`;
  const rows: PartitionSummary[] = [];
  for (const keyOf of [orgKey, flowKey]) {
    const sourceDigests = digestsBy(source, keyOf);
    const kingdeeDigests = digestsBy(kingdee, keyOf);
    const differenceGroups = new Map<string, Difference[]>();
    for (const difference of differences)
      differenceGroups.set(keyOf(difference), [...(differenceGroups.get(keyOf(difference)) ?? []), difference]);
    const parkedCounts = new Map<string, number>();
    for (const document of parkedAtMapping) parkedCounts.set(keyOf(document), (parkedCounts.get(keyOf(document)) ?? 0) + 1);
    const keys = [
      ...new Set([...sourceDigests.keys(), ...kingdeeDigests.keys(), ...differenceGroups.keys(), ...parkedCounts.keys()]),
    ].sort();
    for (const key of keys)
      rows.push(
        summaryOf(
          key,
          sourceDigests.get(key) ?? emptyDigest(),
          kingdeeDigests.get(key) ?? emptyDigest(),
          differenceGroups.get(key) ?? [],
          options,
          parkedCounts.get(key) ?? 0,
        ),
      );
  }
  // Flow totals only when the flow has more than one org row.
  return rows.filter(
    (row) => row.org !== '合计' || rows.filter((other) => other.flow === row.flow && other.org !== '合计').length > 1,
  );
}

function rate(numerator: Decimal, denominator: Decimal): Decimal {
  if (denominator.isZero()) return numerator.isZero() ? new Decimal(0) : new Decimal(1);
  return numerator.div(denominator);
}

function summaryOf(
  key: string,
  source: Digest,
  kingdee: Digest,
  differences: Difference[],
  options: CompareOptions,
  parkedAtMapping: number,
): PartitionSummary {
  const [flow, org] = key.split('|') as [string, string];
  // The document rate's denominator is every source document of the partition, those parked at mapping included.
  const sourceDocuments = source.documents + parkedAtMapping;
  const counted = differences.filter((difference) => difference.counted);
  const amountDifference = counted.reduce((sum, difference) => sum.plus(difference.amountDelta), new Decimal(0));
  const duplicates = counted
    .filter((difference) => difference.class === 'DUPLICATE')
    .reduce((sum, difference) => sum + difference.billNos.length - 1, 0);
  const documentDifferences =
    counted.filter((difference) => difference.class === 'MISSING_IN_KINGDEE' || difference.class === 'EXTRA_IN_KINGDEE')
      .length + duplicates;
  const amountRate = rate(amountDifference, fromUnits(source.amount, AMOUNT_DP).abs());
  const documentRate = rate(new Decimal(documentDifferences), new Decimal(sourceDocuments));
  const classes = Object.fromEntries(
    DIFFERENCE_CLASS_NAMES.map((name) => [name, differences.filter((difference) => difference.class === name).length]),
  ) as Record<DifferenceClass, number>;
  const consistent = amountRate.lt(options.threshold) && documentRate.lt(options.threshold) && duplicates === 0;
  return {
    flow,
    org,
    period: options.period,
    sourceDocuments,
    kingdeeDocuments: kingdee.documents,
    sourceLines: source.lines,
    kingdeeLines: kingdee.lines,
    sourceQty: fromUnits(source.qty, QTY_DP).toString(),
    kingdeeQty: fromUnits(kingdee.qty, QTY_DP).toString(),
    sourceAmount: fromUnits(source.amount, AMOUNT_DP).toFixed(2),
    kingdeeAmount: fromUnits(kingdee.amount, AMOUNT_DP).toFixed(2),
    amountDifference: amountDifference.toFixed(2),
    amountRate: amountRate.toFixed(8),
    documentRate: documentRate.toFixed(8),
    documentDifferences,
    duplicates,
    verdict: consistent ? '一致' : '有差异',
    classes,
  };
}
