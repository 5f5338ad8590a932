/**
 * 领星 source throughput: Amazon orders (`sales_order`, 500 rows/page, 1-hour windows) fetched from the LingXing
 * emulator and published to Kafka by the real service (raw Avro documents and the checkpoint, one transaction per
 * page), twice: with the emulator at zero latency and no client limit, and at LingXing's real limits — the
 * documented per-path concurrency bucket (1 request in flight on the orders path, always on in the emulator), the
 * connector's default 10 calls/s · 600/min, and each call taking `--real-latency-ms` inside its bucket.
 *
 *   eval "$(./yecai stack env)"
 *   tsx bench/lingxing-bench.ts [--documents 20000] [--real-latency-ms 300]
 */
import { parseArgs } from 'node:util';
import { formatBeijingTime } from '@yecai/common';
import { LINGXING_TEST_ACCOUNT, startLingxingEmulator } from '@yecai/emulator-lingxing';
import { lingxing } from '@yecai/source-lingxing';
import { type BenchRow, emitBenchRows, formatCount, peakRssMb } from './lib/results';
import { runBench } from './lib/run';

const { values } = parseArgs({
  options: { documents: { type: 'string', default: '20000' }, 'real-latency-ms': { type: 'string', default: '300' } },
});
const documents = Number(values.documents);
const realLatencyMs = Number(values['real-latency-ms']);
const DAY = 86_400_000;

interface Leg {
  label: string;
  latencyMs: number;
  rateLimits?: { perSecond: number; perMinute: number };
}

async function run(leg: Leg): Promise<{ published: number; apiCalls: number; seconds: number }> {
  const now = Date.now();
  const emulator = await startLingxingEmulator({
    seed: 31,
    documents: { perType: { sales_order: documents }, fromMs: now - 3 * DAY, toMs: now - 120_000 },
    faults: { latencyMs: leg.latencyMs },
  });
  process.env.YECAI_TOPIC_PREFIX = `bench-lx-${leg.latencyMs}-${Date.now()}.`;
  process.env.LINGXING_BENCH_APP_SECRET = LINGXING_TEST_ACCOUNT.appSecret;
  const config = lingxing.validateConfig(
    {
      opsPort: 0,
      pollIntervalSeconds: 1,
      accounts: [
        {
          name: 'bench',
          baseUrl: emulator.url,
          appId: LINGXING_TEST_ACCOUNT.appId,
          appSecret: 'env:LINGXING_BENCH_APP_SECRET',
          startAt: formatBeijingTime(now - 4 * DAY),
          streams: ['sales_order'],
          ...(leg.rateLimits ? { rateLimits: leg.rateLimits } : {}),
        },
      ],
    },
    'bench config',
  );
  const service = lingxing.createService(config);
  try {
    await service.runtime.prepare();
    const started = performance.now();
    const results = await service.runtime.runOnce();
    const seconds = (performance.now() - started) / 1000;
    const result = results.get('bench/sales_order')!;
    return { published: result.published, apiCalls: result.apiCalls, seconds };
  } finally {
    await service.close();
    await emulator.close();
  }
}

async function main(): Promise<void> {
  if (!process.env.KAFKA_BROKERS || !process.env.SCHEMA_REGISTRY_URL) throw new Error('needs KAFKA_BROKERS and SCHEMA_REGISTRY_URL (eval "$(./yecai stack env)")');
  const legs: Leg[] = [
    { label: 'zero latency, no client limit', latencyMs: 0, rateLimits: { perSecond: 1_000_000, perMinute: 1_000_000 } },
    { label: `real limits (bucket 1, 10/s · 600/min, ${realLatencyMs} ms per call)`, latencyMs: realLatencyMs },
  ];
  const lines: string[] = [];
  const rows: BenchRow[] = [];
  for (const leg of legs) {
    const { published, apiCalls, seconds } = await run(leg);
    lines.push(`${leg.label}: ${published} documents, ${apiCalls} API calls in ${seconds.toFixed(1)} s → ${(published / seconds).toFixed(0)} documents/s`);
    rows.push({
      stage: 'source (领星 Amazon orders)',
      measure: `fetch + publish, exactly-once — ${leg.label}`,
      value: `${formatCount(published / seconds)} docs/s`,
      note: `${apiCalls} API calls, 1-hour windows, 500 rows/page`,
    });
  }
  process.stdout.write(`LingXing bench (${documents} Amazon orders over 3 days)\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  rows.push({ stage: 'source (领星)', measure: 'peak RSS (source + emulator in one process)', value: `${peakRssMb().toFixed(0)} MB` });
  emitBenchRows(rows);
}

runBench('lingxing-bench', main);
