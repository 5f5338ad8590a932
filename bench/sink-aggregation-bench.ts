/**
 * Aggregated (汇总) posting at volume: N sales out-stock documents over shops × business days are recorded as
 * group members (canonical topic → membership in FerretDB, offsets committed), then an operator close freezes
 * every group and posts the summary bills (Save + Submit + Audit through the ledger) to a zero-latency emulator.
 * Prints documents/s for admission, the close-and-post time, bills and Kingdee calls against the documents.
 *
 *   ./yecai stack up && eval "$(./yecai stack env)"
 *   npx tsx bench/sink-aggregation-bench.ts [--docs 20000] [--days 4] [--entries sum] [--history 0]
 *
 * `--history N` first writes N single bills of the same flow into the ledger (posted one by one before aggregation
 * was switched on — the 双11 switch-over), so admission runs beside a ledger of that size.
 */
import { parseArgs } from 'node:util';
import { Decimal, createMetricsRegistry } from '@yecai/common';
import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { connectMongo } from '@yecai/store';
import { Ledger, ledgerId, parseSinkConfig, SinkService } from '@yecai/sink-kingdee';
import { canonical, startEmulator } from '@yecai/sink-kingdee/test/fixtures';
import { producerFor, sinkConfigFor } from '@yecai/sink-kingdee/test/sink-under-test';
import { wholeNumberFlag } from './lib/flags';
import { emitBenchRows } from './lib/results';

const { values } = parseArgs({
  options: { docs: { type: 'string', default: '20000' }, days: { type: 'string', default: '4' }, entries: { type: 'string', default: 'sum' }, history: { type: 'string', default: '0' } },
});

/** N single bills posted before aggregation was switched on: claimed and posted revisions, as the sink writes them. */
async function writeHistory(ledger: Ledger, count: number): Promise<void> {
  for (let start = 0; start < count; start += 1000) {
    const changes = Array.from({ length: Math.min(1000, count - start) }, (_, i) => {
      const billNo = `HIST-${String(start + i).padStart(7, '0')}`;
      const event = canonical('sales_outstock', billNo);
      const version = (event.source as { contentHash: string }).contentHash;
      const entry = { _id: ledgerId('6571a2b3c4d5e6', 'SAL_OUTSTOCK', billNo), acctId: '6571a2b3c4d5e6', formId: 'SAL_OUTSTOCK', billNo, documentType: 'sales_outstock', documentKey: `jushuitan/demo/sales_outstock/${billNo}`, state: 'POSTED' as const, stage: 'AUDITED' as const, fid: start + i + 1, version, sourceModifiedAt: 1, postedVersion: version, canonical: event, problem: null, attempts: 1, level2Retries: 0, nextRetryAt: null, skipped: null };
      return { current: null, entry, steps: [{ at: new Date(), from: null, to: 'POSTED' as const, event: 'posted_before_aggregation', version }] };
    });
    await ledger.apply(changes);
  }
}

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run ./yecai stack up && eval "$(./yecai stack env)"`);
  return value;
}

async function main() {
  const docs = wholeNumberFlag('docs', values.docs);
  const days = wholeNumberFlag('days', values.days);
  const history = wholeNumberFlag('history', values.history, 0);
  if (values.entries !== 'sum' && values.entries !== 'list') throw new Error(`--entries: "${values.entries}" is not sum or list`);
  const shops = ['TM-YS01', 'JD-YS01', 'DY-YS01'];
  process.env.YECAI_TOPIC_PREFIX = `aggbench${Date.now().toString(36)}.`;
  const emulator = await startEmulator();
  emulator.state.addStock('100', 'A1001-BLK', 'CK001', '0', new Decimal(10_000_000));
  emulator.state.addStock('100', 'A1002-WHT', 'CK001', '0', new Decimal(10_000_000));
  const mongo = await connectMongo(need('MONGODB_URI'), { appName: 'sink-aggregation-bench' });
  const db = mongo.db(`aggbench_${Date.now().toString(36)}`);
  const kafka = new KafkaClient({ brokers: need('KAFKA_BROKERS').split(','), clientId: 'sink-aggregation-bench' });
  const serde = new AvroSerde(need('SCHEMA_REGISTRY_URL'));
  const aggregation = { groupBy: ['customer', 'lines.warehouse', 'date'], entries: values.entries as 'sum' | 'list', close: { afterDays: 36_500, at: '02:00' }, checkIntervalMs: 3_600_000 };
  const config = parseSinkConfig(
    sinkConfigFor(emulator, { batchSize: 20, admin: { tokens: [] }, kingdee: { limits: { callsPerSecond: 1000, maxConcurrent: 8 } }, flows: [{ documentType: 'sales_outstock', aggregation }] }),
    'bench',
  );
  if (history > 0) {
    const ledger = new Ledger(db);
    await ledger.ensureIndexes();
    const writing = Date.now();
    await writeHistory(ledger, history);
    console.error(`  ${history} single bills written to the ledger in ${((Date.now() - writing) / 1000).toFixed(1)} s`);
  }
  const service = new SinkService({ config, kafka, serde, db, metricsRegistry: createMetricsRegistry('sink-aggregation-bench') });
  await service.start();
  const produce = await producerFor(kafka, serde);
  const events = Array.from({ length: docs }, (_, i) =>
    canonical('sales_outstock', `AB-${String(i).padStart(6, '0')}`, {
      customer: shops[i % shops.length]!,
      date: `2026-11-${String(11 + (Math.floor(i / shops.length) % days)).padStart(2, '0')}`,
      lines: [{ qty: '1' }, { material: 'A1002-WHT', qty: '2' }],
    }),
  );
  const started = Date.now();
  for (let i = 0; i < events.length; i += 500) await produce('sales_outstock', events.slice(i, i + 500));
  // Polled from the metric, not the collection: a count is a full scan in FerretDB and would compete with the sink.
  const admitted = async () => (await service.aggregation.metrics.members.get()).values.filter((value) => value.labels.outcome === 'admitted').reduce((sum, value) => sum + value.value, 0);
  while ((await admitted()) < docs) await new Promise((resolve) => setTimeout(resolve, 200));
  const admitSeconds = (Date.now() - started) / 1000;
  const closeStarted = Date.now();
  const closed = await service.aggregation.closeNow('sales_outstock', 'bench');
  const closeSeconds = (Date.now() - closeStarted) / 1000;
  const posted = (await service.ledger.current({ state: 'POSTED' })).length - history;
  const bills = [...emulator.state.billsOf('SAL_OUTSTOCK').values()].filter((bill) => bill.status === 'C');
  const calls = [...emulator.callCounts.entries()].filter(([name]) => /BatchSave|Submit|Audit|ExecuteBillQuery/i.test(name)).reduce((sum, [, n]) => sum + n, 0);
  const result = {
      docs,
      groups: shops.length * days,
      entriesMode: values.entries,
      ledgerHistory: history,
      admitSeconds,
      admittedDocsPerSecond: Math.round(docs / admitSeconds),
      closeAndPostSeconds: closeSeconds,
      summaryBills: closed.bills.length,
      postedBills: posted,
      auditedInKingdee: bills.length,
      entriesInKingdee: bills.reduce((sum, bill) => sum + bill.entries.length, 0),
      kingdeeCalls: calls,
      endToEndDocsPerSecond: Math.round(docs / (admitSeconds + closeSeconds)),
  };
  console.log(JSON.stringify(result));
  const check = posted === closed.bills.length && bills.length === closed.bills.length ? 'every summary bill audited in Kingdee and POSTED in the ledger' : `CHECK FAILED: ${posted} POSTED, ${bills.length} audited of ${closed.bills.length}`;
  emitBenchRows([
    { stage: 'sink-aggregation', measure: `documents recorded as group members (${docs} docs, ${result.groups} groups${history > 0 ? `, ${history.toLocaleString('en-US')} single bills in the ledger` : ''})`, value: `${result.admittedDocsPerSecond.toLocaleString('en-US')} docs/s`, note: 'canonical topic → membership in FerretDB, offsets committed' },
    { stage: 'sink-aggregation', measure: `operator close: freeze + post ${closed.bills.length} summary bills`, value: `${closeSeconds.toFixed(1)} s (${calls} Kingdee calls for ${docs} documents)`, note: check },
  ]);
  await service.stop();
  await kafka.disconnect();
  await db.dropDatabase().catch(() => undefined);
  await mongo.close();
  await emulator.close();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
