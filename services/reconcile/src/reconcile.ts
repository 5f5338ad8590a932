/**
 * One reconciliation run: validate the mirror's fields, bring the three datasets up to date (source ledger from
 * the canonical topics, the finance mirror — Kingdee by FModifyDate or YonSuite by pubts — and a sweep of the
 * period), compare and report.
 */
import type { Db } from 'mongodb';
import { Decimal, ValidationError } from '@yecai/common';
import { sourceIdentity } from '@yecai/contracts';
import type { AvroSerde, KafkaClient } from '@yecai/kafka';
import type { KingdeeClient } from '@yecai/kingdee';
import type { YonyouClient } from '@yecai/yonyou';
import { MasterDataStore } from '@yecai/master-data';
import { Ledger } from '@yecai/sink-kit';
import { compare } from './compare';
import { RECONCILE_FLOWS, reconcileFlow, type ReconcileFlow } from './flows';
import { inFinanceTerms, type FinanceSystem } from './finance-side';
import { KingdeeMirror, type FinanceMirror } from './mirror';
import { refKey, type SinkFacts } from './model';
import { overallVerdict, type ReconciliationReport } from './report';
import type { ReconcileMetrics } from './metrics';
import { SourceLedger } from './source-ledger';
import { YonyouMirror } from './yonyou-mirror';

export interface ReconcileDeps {
  db: Db;
  kafka: KafkaClient;
  serde: AvroSerde;
  /** The finance system's client: exactly one of Kingdee and YonSuite — the system the mirror reads. */
  kingdee?: KingdeeClient | undefined;
  yonyou?: YonyouClient | undefined;
  metrics?: ReconcileMetrics | undefined;
  /** Collection prefix of the sink's ledger (default: sink-kingdee's or sink-yonyou's, by the client given). */
  sinkLedgerPrefix?: string;
}

/** The mirror of the finance system the deps name, and that system. */
function financeMirror(deps: ReconcileDeps, flows: readonly ReconcileFlow[]): { system: FinanceSystem; mirror: FinanceMirror } {
  if (deps.kingdee && deps.yonyou) throw new Error('reconcile: a Kingdee and a YonSuite client given — one finance system per run');
  if (deps.yonyou) return { system: 'yonyou', mirror: new YonyouMirror(deps.db, deps.yonyou, flows) };
  if (deps.kingdee) return { system: 'kingdee', mirror: new KingdeeMirror(deps.db, deps.kingdee, flows) };
  throw new Error('reconcile: no finance system client (Kingdee or YonSuite) given');
}

export interface ReconcileOptions {
  /** YYYY-MM */
  period: string;
  /** documentTypes; all declared flows when absent. */
  flows?: string[] | undefined;
  org?: string | undefined;
  /** Line tolerance in yuan (default 0.01). */
  tolerance?: string | undefined;
  /** Rate threshold as a fraction (default 0.0001 = 0.01 %). */
  threshold?: string | undefined;
  /** Re-sweep the period in Kingdee (default true: catches bills deleted there). */
  sweep?: boolean | undefined;
  groupId?: string | undefined;
}

export const DEFAULT_TOLERANCE = '0.01';
export const DEFAULT_THRESHOLD = '0.0001';

function decimalOption(value: string, field: string): Decimal {
  try {
    const parsed = new Decimal(value);
    if (parsed.isNegative()) throw new Error('negative');
    return parsed;
  } catch {
    throw new ValidationError(`${field}: 应为非负数 expected a non-negative number, got "${value}"`, field);
  }
}

/** A reconciliation period: YYYY-MM. */
export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export function parsePeriod(period: string): string {
  if (!PERIOD_PATTERN.test(period))
    throw new ValidationError(`--period: 应为 YYYY-MM expected YYYY-MM, got "${period}"`, 'period');
  return period;
}

/** What the sink ledger says about each document of `flows`, by refKey(flow, source id). */
async function sinkFacts(db: Db, flows: readonly ReconcileFlow[], prefix: string): Promise<Map<string, SinkFacts>> {
  const facts = new Map<string, SinkFacts>();
  const ledger = new Ledger(db, prefix);
  if (!(await ledger.exists())) return facts;
  for (const entry of await ledger.current({ documentType: { $in: flows.map((flow) => flow.documentType) } })) {
    const sourceId = sourceIdentity(entry.canonical).sourceId;
    facts.set(refKey(entry.documentType, sourceId), {
      billNo: entry.billNo,
      state: entry.state,
      stage: entry.stage,
      postedVersion: entry.postedVersion,
      problem: entry.problem ? entry.problem.message : null,
      skipped: entry.skipped ? { by: entry.skipped.by, reason: entry.skipped.reason } : null,
    });
  }
  return facts;
}

/** The SKU → Kingdee material map as master data holds it now. */
async function currentSkuMap(db: Db): Promise<Map<string, string>> {
  const records = await new MasterDataStore(db).collection('sku').find({}).toArray();
  return new Map(
    records.map((record) => [
      `${String(record.sourceSystem)}/${String(record.skuCode)}`,
      String(record.materialNumber),
    ]),
  );
}

export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions): Promise<ReconciliationReport> {
  const started = Date.now();
  const period = parsePeriod(options.period);
  const tolerance = decimalOption(options.tolerance ?? DEFAULT_TOLERANCE, 'tolerance');
  const threshold = decimalOption(options.threshold ?? DEFAULT_THRESHOLD, 'threshold');
  const flows = options.flows && options.flows.length > 0 ? options.flows.map(reconcileFlow) : [...RECONCILE_FLOWS];

  const { system, mirror } = financeMirror(deps, flows);
  await mirror.validate();
  const source = new SourceLedger(deps.db);
  const read = await source.catchUp(deps.kafka, deps.serde, flows, options.groupId ?? 'yecai-reconcile');
  const mirrorChanged = await mirror.refresh();
  const sweep = options.sweep ?? true;
  if (sweep) await mirror.sweep(period);

  const [documents, bills, sink, skus] = await Promise.all([
    source.documents(flows),
    mirror.all(),
    sinkFacts(deps.db, flows, deps.sinkLedgerPrefix ?? (system === 'yonyou' ? 'sink_yonyou' : 'sink_kingdee')),
    currentSkuMap(deps.db),
  ]);
  const comparison = compare(
    { source: documents, kingdee: bills, sink, currentMaterial: (system, sku) => skus.get(`${system}/${sku}`) },
    { period, flows: flows.map((flow) => flow.documentType), org: options.org, tolerance, threshold },
  );
  const report: ReconciliationReport = {
    title: '业财一致性报告',
    financeSystem: system,
    period,
    flows: flows.map((flow) => flow.documentType),
    org: options.org ?? null,
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    threshold: threshold.toString(),
    tolerance: tolerance.toFixed(2),
    verdict: overallVerdict(comparison.summaries),
    dataVersions: {
      sourceDocuments: documents.length,
      sourceMessagesRead: read.messages,
      sourceUnread: read.unread,
      mirrorBills: bills.length,
      mirrorChanged,
      periodSwept: sweep,
      sinkEntries: sink.size,
    },
    ...comparison,
  };
  const worded = inFinanceTerms(report, system);
  deps.metrics?.observe(worded);
  return worded;
}
