/**
 * The 用友 YonSuite sink at its rate limit: N sales out-stocks from the canonical topic to POSTED (save + 审核, ledger
 * writes and offset commits included) against the YonSuite emulator enforcing a calls/min limit per API, with the
 * sink's client configured to the same limit. Prints posted documents/min, the share of the limit the save API used,
 * and the most save calls in any sliding 60 s window, which must never exceed the limit (the emulator would answer
 * 310046; their count is printed too).
 *
 *   ./yecai stack up && eval "$(./yecai stack env)"
 *   npx tsx bench/yonyou-sink-bench.ts [--docs 1300] [--limit 600]   (three 60 s windows: 600, 600, 100)
 *
 * The emulator and the sink run in this process over the stack's real Kafka, registry and MongoDB-wire store.
 */
import { parseArgs } from 'node:util';
import { createMetricsRegistry } from '@yecai/common';
import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { canonicalProducer } from '@yecai/test-harness';
import { connectMongo } from '@yecai/store';
import { YonyouClient } from '@yecai/yonyou';
import { parseSinkConfig, SinkService } from '@yecai/sink-yonyou';
import { canonical, sinkConfigFor, startEmulator } from '@yecai/sink-yonyou/test/fixtures';
import { wholeNumberFlag } from './lib/flags';
import { emitBenchRows, formatCount } from './lib/results';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '1300' },
    limit: { type: 'string', default: '600' },
    /** Give up after this many seconds. */
    timeout: { type: 'string', default: '600' },
  },
});

const SAVE_PATH = '/yonbip/scm/salesout/single/save';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} 未设置 is not set: run ./yecai stack up && eval "$(./yecai stack env)"`);
  return value;
}

/** The most timestamps within any window of `windowMs` (timestamps sorted ascending). */
export function maxInWindow(sorted: number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

async function main(): Promise<void> {
  const docs = wholeNumberFlag('docs', values.docs);
  const limit = wholeNumberFlag('limit', values.limit);
  const timeoutMs = wholeNumberFlag('timeout', values.timeout) * 1000;
  need('KAFKA_BROKERS');
  process.env.YECAI_TOPIC_PREFIX = `ysbench${Date.now().toString(36)}.`;
  const emulator = await startEmulator({ callsPerMinute: limit, openingStock: 100_000_000 });
  const mongo = await connectMongo(need('MONGODB_URI'), { appName: 'yonyou-sink-bench' });
  const db = mongo.db(`ysbench_${Date.now().toString(36)}`);
  const kafka = new KafkaClient({ brokers: need('KAFKA_BROKERS').split(','), clientId: 'yonyou-sink-bench' });
  const serde = new AvroSerde(need('SCHEMA_REGISTRY_URL'));
  const config = parseSinkConfig(
    sinkConfigFor(emulator, {
      batchSize: 50,
      schedulerIntervalMs: 5_000,
      probeIntervalMs: 5_000,
      yonyou: {
        limits: { callsPerMinute: limit, throttledPauseMs: 5_000 },
        retry: { maxAttempts: 4, initialDelayMs: 500, maxDelayMs: 5_000 },
        timeoutMs: 30_000,
        inProgressDelayMs: 1_000,
      },
      admin: { tokens: [] },
    }),
    'bench',
  );
  const starts = new Map<string, number[]>();
  const client = YonyouClient.fromConfig(config.yonyou, {
    onCall: ({ operation, durationMs }) => {
      const list = starts.get(operation) ?? [];
      list.push(Date.now() - durationMs);
      starts.set(operation, list);
    },
  });
  const service = new SinkService({
    config,
    kafka,
    serde,
    db,
    metricsRegistry: createMetricsRegistry('yonyou-sink-bench'),
    client,
  });
  try {
    const produce = canonicalProducer(kafka, serde);
    const events = Array.from({ length: docs }, (_, index) =>
      canonical('sales_outstock', `YSB-${String(index).padStart(6, '0')}`),
    );
    for (let offset = 0; offset < events.length; offset += 500)
      await produce('sales_outstock', events.slice(offset, offset + 500));
    console.log(
      `${formatCount(docs)} sales out-stocks on the topic; the sink and the emulator at ${limit} calls/min per API`,
    );
    const started = Date.now();
    await service.start();
    const deadline = started + timeoutMs;
    const audited = () => emulator.state.documentsOf('salesout').filter((document) => document.status === 1).length;
    let lastReport = 0;
    while (audited() < docs) {
      if (Date.now() > deadline) throw new Error(`only ${audited()}/${docs} posted after ${timeoutMs / 1000} s`);
      if (Date.now() - lastReport >= 15_000) {
        console.log(`  ${Math.round((Date.now() - started) / 1000)} s: ${audited()}/${docs} posted`);
        lastReport = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const finished = Date.now();
    const saves = (starts.get(SAVE_PATH) ?? []).sort((a, b) => a - b);
    const first = saves[0] ?? started;
    const minutes = (finished - first) / 60_000;
    const postedPerMinute = docs / minutes;
    const peak = maxInWindow(saves, 60_000);
    // The limit is a sliding 60 s window, so a run starts with a burst of `limit` calls: the rate at the limit is what
    // whole 60 s windows from the first save hold (a run of ≥ 2 windows has at least one after the burst).
    const windows = Math.max(1, Math.floor((finished - first) / 60_000));
    const perWindow = Array.from(
      { length: windows },
      (_, k) => saves.filter((at) => at >= first + k * 60_000 && at < first + (k + 1) * 60_000).length,
    );
    const sustained = perWindow.reduce((sum, n) => sum + n, 0) / windows;
    const written = emulator.state.documentsOf('salesout').length;
    const rows = [
      {
        measure: 'posted docs/min at the limit',
        value: `${formatCount(sustained)}/min`,
        detail: `save calls per whole 60 s window from the first save: ${perWindow.join(', ')}`,
      },
      {
        measure: 'share of the limit used (save API)',
        value: `${Math.round((100 * sustained) / limit)} %`,
        detail: `${formatCount(sustained)} of ${limit} calls/min`,
      },
      {
        measure: 'most save calls in any 60 s window',
        value: `${peak} / ${limit}`,
        detail: peak <= limit ? 'never above the limit' : 'ABOVE THE LIMIT',
      },
      {
        measure: 'whole run',
        value: `${((finished - first) / 1000).toFixed(1)} s`,
        detail: `${docs} documents saved and audited, ${formatCount(postedPerMinute)}/min overall incl. the first window's burst; 310046 answers ${emulator.stats.counts['310046'] ?? 0}; documents written ${written} (duplicates ${written - docs})`,
      },
    ];
    console.log('\nmeasure                              | value        | detail');
    for (const row of rows) console.log(`${row.measure.padEnd(36)} | ${row.value.padEnd(12)} | ${row.detail}`);
    emitBenchRows(
      rows.map((row) => ({
        stage: 'yonyou-sink',
        measure: row.measure,
        value: row.value,
        target: `≤ ${limit} calls/min per API`,
        note: row.detail,
      })),
    );
    if (peak > limit || written !== docs || (emulator.stats.counts['310046'] ?? 0) > 0) process.exitCode = 1;
  } finally {
    await service.stop();
    await kafka.disconnect();
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
    await emulator.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
