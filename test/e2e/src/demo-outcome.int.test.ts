/**
 * The main job's outcome, as `./yecai run` prints it: a business day through source → mapping → sink on the real
 * broker, registry and MongoDB-wire server, then the summary a person reads. Every document that passes the rules'
 * filters is posted to Kingdee, except exactly the demo world's two deliberate exceptions, each counted:
 * - documents of warehouse 100004 (no Kingdee mapping) are parked at mapping;
 * - bills with the SKU whose material Kingdee lacks are parked at the sink.
 * Nothing is pending (a 库存不足 would be: e.g. a lot "" sent where Kingdee keeps "0"), and no service logs an error.
 * The expected counts come from the JST emulator's documents and the flows.md filters, never from the pipeline.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JstDocumentType } from '@yecai/emulator-jushuitan';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { formatSummary, JST_FLOWS, MATERIAL_MISSING_SKU, Pipeline, type PipelineSummary, UNMAPPED_WAREHOUSE, waitUntilSettled } from '@yecai/demo';

type JstLine = { sku_id: string; qty: number };
type JstDoc = Record<string, unknown> & { items: JstLine[]; wms_co_id: number; link_wms_co_id?: number };

/** flows.md §2, per JST type: the canonical flows a document can become, their filters, and the bills they post. */
interface FlowSpec {
  keep: (doc: JstDoc) => boolean;
  keepLine: (line: JstLine) => boolean;
  /** Kingdee bills of the kept lines (a stock-take posts a gain and a loss bill). */
  bills?: (lines: JstLine[]) => JstLine[][];
}
const confirmed = (doc: JstDoc) => doc.status === 'Confirmed';
const SPEC: Partial<Record<JstDocumentType, FlowSpec[]>> = {
  sales_outstock: [{ keep: confirmed, keepLine: () => true }],
  // F4 reads the 实际收货 (return received into stock): one bill per receipt, lines with a received quantity.
  aftersale_received: [{ keep: confirmed, keepLine: (line) => line.qty > 0 }],
  purchase_in: [{ keep: confirmed, keepLine: (line) => line.qty > 0 }],
  purchase_out: [{ keep: confirmed, keepLine: (line) => line.qty > 0 }],
  other_inout: [
    { keep: (doc) => confirmed(doc) && doc.type === '其它进仓', keepLine: (line) => line.qty > 0 },
    { keep: (doc) => confirmed(doc) && (doc.type === '其它出库' || doc.type === '其它退货'), keepLine: (line) => line.qty > 0 },
  ],
  allocate: [{ keep: (doc) => confirmed(doc) && doc.type === '调拨入', keepLine: () => true }],
  stock_count: [
    {
      keep: confirmed,
      keepLine: (line) => line.qty !== 0,
      bills: (lines) => [lines.filter((line) => line.qty > 0), lines.filter((line) => line.qty < 0)].filter((bill) => bill.length > 0),
    },
  ],
};

interface Expected {
  parkedInMapping: number;
  posted: number;
  parkedInSink: number;
}

function expectedOutcome(pipeline: Pipeline, type: JstDocumentType): Expected {
  const outcome: Expected = { parkedInMapping: 0, posted: 0, parkedInSink: 0 };
  const store = pipeline.jst.store;
  for (const version of store.versions(type)) {
    const doc = store.render(store.get(type, version.id)!) as JstDoc;
    for (const flow of SPEC[type] ?? []) {
      if (!flow.keep(doc)) continue;
      // A warehouse lookup that fails parks the document whatever its lines (the mapping cannot be completed).
      if (doc.wms_co_id === UNMAPPED_WAREHOUSE || doc.link_wms_co_id === UNMAPPED_WAREHOUSE) {
        outcome.parkedInMapping += 1;
        continue;
      }
      const lines = doc.items.filter(flow.keepLine);
      if (lines.length === 0) continue; // every line filtered: the document is filtered
      for (const bill of flow.bills ? flow.bills(lines) : [lines]) {
        if (bill.some((line) => line.sku_id === MATERIAL_MISSING_SKU)) outcome.parkedInSink += 1;
        else outcome.posted += 1;
      }
    }
  }
  return outcome;
}

let pipeline: Pipeline;
let summary: PipelineSummary;
let settled: boolean;
let workDir: string;
let runtimeS: number;

beforeAll(async () => {
  const started = Date.now();
  workDir = mkdtempSync(join(tmpdir(), 'yecai-demo-outcome-'));
  pipeline = await Pipeline.start({
    endpoints: testEndpoints(),
    workDir,
    documents: 500,
    topicPrefix: uniqueTopicPrefix('demo'),
    mongoDb: uniqueName('demo').replace(/-/g, '_'),
    jstRateLimits: { perSecond: 50, perMinute: 3000 },
  });
  ({ summary, settled } = await waitUntilSettled(pipeline, { timeoutMs: 300_000 }));
  runtimeS = Math.round((Date.now() - started) / 1000);
  console.log(`[demo outcome] settled ${settled} after ${runtimeS}s (start + sync of 500 documents)\n${formatSummary(summary)}`);
}, 600_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('the demo business day (what ./yecai run prints)', () => {
  it('is accounted for: every fetched document posted, parked or filtered, nothing in flight', () => {
    expect(settled).toBe(true);
  });

  it.each(JST_FLOWS.map((flow) => [flow.label, flow.jstType as JstDocumentType] as const))(
    '%s: posted except the two deliberate exceptions, each counted, nothing pending',
    (label, jstType) => {
      const row = summary.flows.find((flow) => flow.label === label);
      const expected = expectedOutcome(pipeline, jstType);
      expect({ label, parkedInMapping: row?.parkedInMapping, posted: row?.posted, parkedInSink: row?.parkedInSink, pending: row?.pending }).toEqual({
        label,
        ...expected,
        pending: 0,
      });
    },
  );

  it('every document the source system serves is fetched; the ones it does not serve are named with their status', () => {
    for (const flow of summary.flows) expect({ flow: flow.label, fetched: flow.fetched }).toEqual({ flow: flow.label, fetched: flow.available });
    const printed = formatSummary(summary);
    for (const flow of summary.flows) {
      for (const [status, count] of Object.entries(flow.notRequested)) expect(printed).toContain(`${status} ${count}`);
    }
  });

  it('the day has documents of every kind, and of both deliberate exceptions', () => {
    const all = JST_FLOWS.map((flow) => expectedOutcome(pipeline, flow.jstType as JstDocumentType));
    for (const [index, outcome] of all.entries()) expect({ flow: JST_FLOWS[index]!.label, posting: outcome.posted > 0 }).toEqual({ flow: JST_FLOWS[index]!.label, posting: true });
    expect(all.reduce((sum, outcome) => sum + outcome.parkedInMapping, 0)).toBeGreaterThan(0);
    expect(all.reduce((sum, outcome) => sum + outcome.parkedInSink, 0)).toBeGreaterThan(0);
  });

  it('reasons: one group per exception kind, each with its count and what to do next', () => {
    const mapping = summary.reasons.filter((group) => group.stage === 'mapping');
    const sink = summary.reasons.filter((group) => group.stage === 'sink');
    const parkedInMapping = summary.flows.reduce((sum, flow) => sum + flow.parkedInMapping, 0);
    const parkedInSink = summary.flows.reduce((sum, flow) => sum + flow.parkedInSink, 0);
    expect(mapping).toEqual([expect.objectContaining({ state: 'parked', code: 'MISSING_MASTER_DATA', count: parkedInMapping, missing: { warehouse: [String(UNMAPPED_WAREHOUSE)] } })]);
    expect(sink.map((group) => group.state)).toEqual(sink.map(() => 'parked'));
    expect(sink.reduce((sum, group) => sum + group.count, 0)).toBe(parkedInSink);
    const printed = formatSummary(summary);
    expect(printed).toContain('yecai master-data import warehouse <file.csv>');
    expect(printed).toContain('yecai parked --stage sink-kingdee');
    expect(summary.kingdeeBills).toBe(summary.flows.reduce((sum, flow) => sum + flow.posted, 0));
  });

  it('no service logged an error (a healthy start and run)', () => {
    const logs = join(workDir, 'logs');
    const errors = readdirSync(logs).flatMap((file) =>
      readFileSync(join(logs, file), 'utf8')
        .split('\n')
        .filter((line) => /"level":(50|60)/.test(line))
        .map((line) => `${file}: ${line.slice(0, 300)}`),
    );
    expect(errors).toEqual([]);
  });
});
