/**
 * Kingdee sink throughput: documents/s from canonical topic to POSTED (Save + Submit + Audit, ledger and offset
 * commits included) against a zero-latency in-process emulator, and the fraction of a configured Kingdee call
 * rate the sink achieves when that limit is the bottleneck.
 *
 *   ./yecai stack up && eval "$(./yecai stack env)"
 *   npx tsx bench/sink-bench.ts [--docs 1000] [--batch 50] [--rate 20] [--rate-docs 100]
 */
import { parseArgs } from 'node:util';
import { Decimal, createMetricsRegistry } from '@yecai/common';
import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { MongoClient } from 'mongodb';
import { parseSinkConfig, SinkService } from '@yecai/sink-kingdee';
import { canonical, startEmulator } from '@yecai/sink-kingdee/test/fixtures';
import { producerFor, sinkConfigFor } from '@yecai/sink-kingdee/test/sink-under-test';

const { values } = parseArgs({
  options: { docs: { type: 'string', default: '1000' }, batch: { type: 'string', default: '50' }, rate: { type: 'string', default: '20' }, 'rate-docs': { type: 'string', default: '100' } },
});

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run ./yecai stack up && eval "$(./yecai stack env)"`);
  return value;
}

async function run(label: string, docs: number, batchSize: number, kingdee: Record<string, unknown>) {
  const prefix = `bench${Date.now().toString(36)}.`;
  process.env.YECAI_TOPIC_PREFIX = prefix;
  const emulator = await startEmulator();
  emulator.state.addStock('100', 'A1001-BLK', 'CK001', '0', new Decimal(1_000_000));
  const mongo = new MongoClient(need('MONGODB_URI'));
  await mongo.connect();
  const db = mongo.db(`sinkbench_${Date.now().toString(36)}`);
  const kafka = new KafkaClient({ brokers: need('KAFKA_BROKERS').split(','), clientId: 'sink-bench' });
  const serde = new AvroSerde(need('SCHEMA_REGISTRY_URL'));
  const config = parseSinkConfig(sinkConfigFor(emulator, { batchSize, kingdee, admin: { tokens: [] } }), 'bench');
  const service = new SinkService({ config, kafka, serde, db, metricsRegistry: createMetricsRegistry('sink-bench') });
  await service.start();
  const produce = await producerFor(kafka, serde);
  const events = Array.from({ length: docs }, (_, i) => canonical('sales_outstock', `B-${String(i).padStart(6, '0')}`));
  const started = Date.now();
  for (let i = 0; i < events.length; i += 500) await produce('sales_outstock', events.slice(i, i + 500));
  for (;;) {
    const posted = await service.ledger.current({ state: 'POSTED' });
    if (posted.length >= docs) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const seconds = (Date.now() - started) / 1000;
  const calls = [...emulator.callCounts.entries()].filter(([name]) => /BatchSave|Submit|Audit|ExecuteBillQuery/i.test(name)).reduce((sum, [, n]) => sum + n, 0);
  const bills = [...emulator.state.billsOf('SAL_OUTSTOCK').values()].filter((bill) => bill.billNo.startsWith('B-') && bill.status === 'C').length;
  await service.stop();
  await kafka.disconnect();
  await db.dropDatabase().catch(() => undefined);
  await mongo.close();
  await emulator.close();
  return { label, docs, bills, seconds, docsPerSecond: docs / seconds, calls, callsPerSecond: calls / seconds };
}

async function main() {
  const docs = Number(values.docs);
  const batch = Number(values.batch);
  const rate = Number(values.rate);
  const free = await run('zero-latency emulator, limits 1000 calls/s', docs, batch, { limits: { callsPerSecond: 1000, maxConcurrent: 8 } });
  console.log(JSON.stringify(free));
  const limited = await run(`rate limit ${rate} calls/s`, Number(values['rate-docs']), 1, { limits: { callsPerSecond: rate, maxConcurrent: 2 } });
  console.log(JSON.stringify({ ...limited, configuredCallsPerSecond: rate, achievedFraction: limited.callsPerSecond / rate }));
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
