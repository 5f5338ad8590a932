/**
 * Reconciliation of one period (issue #21, "Performance"): a full run of `reconcile()` over N source documents of
 * ≈ 3 lines each and their N Kingdee bills, then a re-run with nothing changed.
 *
 *   ./yecai stack up && eval "$(./yecai stack env)"
 *   npx tsx bench/reconcile-bench.ts [--documents 10000] [--differences 1]      (./yecai bench --only reconcile)
 *   npx tsx bench/reconcile-bench.ts --documents 1000000                        the target: < 60 s, re-run < 1 s
 *
 * The source ledger (`reconcile_source`) and the Kingdee mirror (`reconcile_kingdee_mirror`) are seeded directly in
 * MongoDB, NOT through Kafka and the Kingdee API: the benchmark measures the reconciliation with up-to-date datasets,
 * as the issue states it, not how they are kept current. The run is the real entry point — FieldKeys validated
 * against a Kingdee emulator that holds no bills, the canonical topics caught up (none exist under the bench's
 * prefix), an incremental mirror refresh (nothing changed), no period sweep (the empty emulator would delete the
 * seeded mirror), every document loaded, hashed and compared. The sink ledger is empty (it only names causes).
 * `--differences` bills get another quantity, so the drill-down (L1 partitions, documents) is exercised too.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Decimal } from '@yecai/common';
import { DEMO_KINGDEE_SECRET_ENV, demoKingdeeConnection, demoWorld } from '@yecai/demo';
import { startKingdeeEmulator } from '@yecai/emulator-kingdee';
import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { KingdeeClient } from '@yecai/kingdee';
import { reconcile, type MirrorBill, type SourceDocument } from '@yecai/reconcile';
import { connectMongo } from '@yecai/store';
import { wholeNumberFlag } from './lib/flags';
import { emitBenchRows } from './lib/results';

const { values } = parseArgs({
  options: { documents: { type: 'string', default: '10000' }, differences: { type: 'string', default: '1' } },
});
const DOCUMENTS = wholeNumberFlag('documents', values.documents);
const DIFFERENCES = wholeNumberFlag('differences', values.differences, 0);
const PERIOD = '2026-11';
const SHOPS = ['10001', '10002', '10003', '10004', '10005'];
const WAREHOUSES = ['100001', '100002', '100003'];
const BATCH = 2_000;

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run ./yecai stack up && eval "$(./yecai stack env)"`);
  return value;
}

/** Document i of the period: 2 or 4 lines (3 on average), a day, a shop and a warehouse spread over the month. */
function documentPair(i: number): { source: SourceDocument; bill: MirrorBill } {
  const ref = `SO${String(i).padStart(8, '0')}`;
  const date = `${PERIOD}-${String((i % 30) + 1).padStart(2, '0')}`;
  const shop = SHOPS[i % SHOPS.length]!;
  const warehouse = WAREHOUSES[i % WAREHOUSES.length]!;
  const lines = Array.from({ length: i % 2 === 0 ? 2 : 4 }, (_, index) => {
    const qty = new Decimal((i + index) % 7).plus(1);
    return {
      seq: index + 1,
      material: `M${String((i * 7 + index) % 500).padStart(4, '0')}`,
      warehouse,
      lot: index % 2 === 0 ? '0' : '',
      qty: qty.toString(),
      amount: qty.mul('19.90').toFixed(2),
    };
  });
  const facts = { flow: 'sales_outstock', ref, billNo: ref, org: '100', date, shop, lines };
  return {
    source: {
      ...facts,
      _id: `jushuitan/bench/sales_outstock/${ref}`,
      sourceSystem: 'jushuitan',
      mark: 'SYNCED',
      markReason: null,
      sourceModifiedAt: Date.parse(`${date}T12:00:00+08:00`),
      contentHash: ref,
      versions: 1,
    },
    bill: {
      ...facts,
      billNo: `XSCKD${String(i).padStart(8, '0')}`,
      lines:
        i < DIFFERENCES
          ? lines.map((line, index) =>
              index === 0 ? { ...line, qty: new Decimal(line.qty).plus(1).toString() } : line,
            )
          : lines,
      _id: `SAL_OUTSTOCK|${i + 1}`,
      formId: 'SAL_OUTSTOCK',
      fid: String(i + 1),
      status: 'C',
      cancelStatus: 'A',
      modifyDate: `${date}T12:00:00`,
    },
  };
}

const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function main(): Promise<void> {
  const world = demoWorld();
  const emulator = await startKingdeeEmulator({ seed: world.kingdeeFixture });
  process.env[DEMO_KINGDEE_SECRET_ENV] = world.kingdeeFixture.apps[0]!.appSecret;
  const kingdee = KingdeeClient.fromConfig(
    demoKingdeeConnection(emulator.url, world.kingdeeFixture),
    {},
    'Kingdee emulator',
  );
  const runId = Date.now().toString(36);
  process.env.YECAI_TOPIC_PREFIX = `reconbench${runId}.`;
  const mongo = await connectMongo(need('MONGODB_URI'), { appName: 'reconcile-bench' });
  const db = mongo.db(`reconbench_${runId}`);
  const kafka = new KafkaClient({ brokers: need('KAFKA_BROKERS').split(','), clientId: 'reconcile-bench' });
  const serde = new AvroSerde(need('SCHEMA_REGISTRY_URL'));
  try {
    let lines = 0;
    const seedStarted = performance.now();
    for (let from = 0; from < DOCUMENTS; from += BATCH) {
      const pairs = Array.from({ length: Math.min(BATCH, DOCUMENTS - from) }, (_, offset) =>
        documentPair(from + offset),
      );
      lines += pairs.reduce((sum, pair) => sum + pair.source.lines.length, 0);
      await db.collection<SourceDocument>('reconcile_source').insertMany(pairs.map((pair) => pair.source));
      await db.collection<MirrorBill>('reconcile_kingdee_mirror').insertMany(pairs.map((pair) => pair.bill));
    }
    const seedS = (performance.now() - seedStarted) / 1000;
    console.log(
      `seeded ${DOCUMENTS} documents (${lines} lines) and their bills in MongoDB in ${seedS.toFixed(1)} s (not through Kafka)`,
    );

    const timed = async (label: string) => {
      const started = performance.now();
      const report = await reconcile(
        { db, kafka, serde, kingdee },
        { period: PERIOD, flows: ['sales_outstock'], sweep: false, groupId: `reconbench-${runId}` },
      );
      const seconds = (performance.now() - started) / 1000;
      const found = report.differences.length;
      console.log(
        `${label}: ${seconds.toFixed(2)} s · ${(DOCUMENTS / seconds).toFixed(0)} docs/s · verdict ${report.verdict} · differences ${found} (planted ${DIFFERENCES}) · L1 ${report.levels.l1Differing}/${report.levels.l1Partitions} · peak RSS ${rssMb()} MB`,
      );
      if (found !== DIFFERENCES) throw new Error(`${label}: found ${found} differences, planted ${DIFFERENCES}`);
      return seconds;
    };
    const full = await timed('full reconciliation');
    const rerun = await timed('re-run, nothing changed');
    // Where the time goes: reading both datasets back from MongoDB, without hashing or comparing anything.
    const loadStarted = performance.now();
    await Promise.all([
      db.collection('reconcile_source').find({ flow: 'sales_outstock' }).toArray(),
      db.collection('reconcile_kingdee_mirror').find({ formId: 'SAL_OUTSTOCK' }).toArray(),
    ]);
    const loadS = (performance.now() - loadStarted) / 1000;
    console.log(`of which reading both datasets from MongoDB alone: ${loadS.toFixed(2)} s`);
    const size = `${DOCUMENTS.toLocaleString('en-US')} docs / ${lines.toLocaleString('en-US')} lines`;
    emitBenchRows([
      {
        stage: 'reconcile',
        measure: `full reconciliation of a period, ${size}`,
        value: `${full.toFixed(2)} s (${(DOCUMENTS / full).toFixed(0)} docs/s)`,
        target: '< 60 s for 1,000,000 docs',
      },
      {
        stage: 'reconcile',
        measure: `re-run with no change, ${size}`,
        value: `${rerun.toFixed(2)} s`,
        target: '< 1 s',
      },
      {
        stage: 'reconcile',
        measure: `reading source + mirror from MongoDB alone, ${size}`,
        value: `${loadS.toFixed(2)} s`,
      },
      { stage: 'reconcile', measure: `peak RSS, ${size}`, value: `${rssMb()} MB` },
    ]);
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
    await kafka.disconnect();
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
