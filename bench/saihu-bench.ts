/**
 * 赛狐 source throughput: Amazon orders (`sales_order`) and settlement detail rows (`settlement_detail`, the finance
 * streams' volume), 100 rows a page, fetched from the Saihu emulator and published to Kafka by the real service (raw
 * Avro documents and the checkpoint, one transaction per page), both streams side by side over `--hours` of updates
 * in the service's 1-hour windows, twice: with the emulator at zero latency and no client limit, and at Saihu's real
 * limit — 1 request/s per endpoint (40019 above it, enforced by the emulator), the connector's default budget (1/s per
 * endpoint) and each call taking `--real-latency-ms`.
 *
 *   eval "$(./yecai stack env)"
 *   tsx bench/saihu-bench.ts [--documents 5000] [--hours 24] [--real-latency-ms 300]
 */
import { parseArgs } from 'node:util';
import { formatBeijingTime } from '@yecai/common';
import { SAIHU_CODES, SAIHU_TEST_ACCOUNT, startSaihuEmulator } from '@yecai/emulator-saihu';
import { saihu } from '@yecai/source-saihu';
import { wholeNumberFlag } from './lib/flags';
import { type BenchRow, emitBenchRows, formatCount, peakRssMb } from './lib/results';
import { runBench } from './lib/run';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '5000' },
    hours: { type: 'string', default: '24' },
    'real-latency-ms': { type: 'string', default: '300' },
  },
});
/** Documents per stream. */
const documents = wholeNumberFlag('documents', values.documents);
/** The span the documents were modified over: a day's catch-up by default (1-hour windows, as the service reads). */
const hours = wholeNumberFlag('hours', values.hours);
const realLatencyMs = wholeNumberFlag('real-latency-ms', values['real-latency-ms'], 0);
const HOUR = 3_600_000;
const STREAMS = ['sales_order', 'settlement_detail'] as const;

interface Leg {
  label: string;
  latencyMs: number;
  /** Accepted calls per second per endpoint in the emulator. */
  perSecondPerEndpoint: number;
  /** The client budget; the connector's default (1/s per endpoint) when absent. */
  rateLimits?: { perSecond: number; perMinute: number };
}

interface LegResult {
  published: Record<string, number>;
  apiCalls: number;
  throttled: number;
  seconds: number;
}

async function run(leg: Leg): Promise<LegResult> {
  const now = Date.now();
  const emulator = await startSaihuEmulator({
    seed: 19,
    documents: {
      perType: Object.fromEntries(STREAMS.map((stream) => [stream, documents])),
      fromMs: now - hours * HOUR,
      toMs: now - 120_000,
    },
    rateLimits: { perSecondPerEndpoint: leg.perSecondPerEndpoint },
    faults: { latencyMs: leg.latencyMs },
  });
  process.env.YECAI_TOPIC_PREFIX = `bench-sh-${leg.latencyMs}-${Date.now()}.`;
  process.env.SAIHU_BENCH_CLIENT_SECRET = SAIHU_TEST_ACCOUNT.clientSecret;
  const config = saihu.validateConfig(
    {
      opsPort: 0,
      pollIntervalSeconds: 1,
      accounts: [
        {
          name: 'bench',
          baseUrl: emulator.url,
          clientId: SAIHU_TEST_ACCOUNT.clientId,
          clientSecret: 'env:SAIHU_BENCH_CLIENT_SECRET',
          startAt: formatBeijingTime(now - (hours + 1) * HOUR),
          streams: [...STREAMS],
          settlementCurrency: 'USD',
          ...(leg.rateLimits ? { rateLimits: leg.rateLimits } : {}),
        },
      ],
    },
    'bench config',
  );
  const service = saihu.createService(config);
  try {
    await service.runtime.prepare();
    const started = performance.now();
    const results = await service.runtime.runOnce();
    const seconds = (performance.now() - started) / 1000;
    const published: Record<string, number> = {};
    let apiCalls = 0;
    for (const stream of STREAMS) {
      const result = results.get(`bench/${stream}`);
      if (!result) throw new Error(`no result for stream bench/${stream} (got ${[...results.keys()].join(', ')})`);
      published[stream] = result.published;
      apiCalls += result.apiCalls;
    }
    // Every document once: a short count means the figure would flatter the source.
    for (const stream of STREAMS) {
      if (published[stream] !== documents)
        throw new Error(`${stream}: published ${published[stream]} of ${documents} documents`);
    }
    return { published, apiCalls, throttled: emulator.stats[String(SAIHU_CODES.throttled)] ?? 0, seconds };
  } finally {
    await service.close();
    await emulator.close();
  }
}

async function main(): Promise<void> {
  if (!process.env.KAFKA_BROKERS || !process.env.SCHEMA_REGISTRY_URL)
    throw new Error('needs KAFKA_BROKERS and SCHEMA_REGISTRY_URL (eval "$(./yecai stack env)")');
  const legs: Leg[] = [
    {
      label: 'zero latency, no limit',
      latencyMs: 0,
      perSecondPerEndpoint: 1_000_000,
      rateLimits: { perSecond: 1_000_000, perMinute: 1_000_000 },
    },
    {
      label: `real limit (1 request/s per endpoint, default budget, ${realLatencyMs} ms per call)`,
      latencyMs: realLatencyMs,
      perSecondPerEndpoint: 1,
    },
  ];
  const lines: string[] = [];
  const rows: BenchRow[] = [];
  for (const leg of legs) {
    const { published, apiCalls, throttled, seconds } = await run(leg);
    const total = Object.values(published).reduce((sum, count) => sum + count, 0);
    lines.push(
      `${leg.label}: ${total} documents (${STREAMS.map((stream) => `${stream} ${published[stream]}`).join(', ')}), ${apiCalls} API calls, ${throttled} × 40019 in ${seconds.toFixed(1)} s → ${(total / seconds).toFixed(0)} documents/s`,
    );
    rows.push({
      stage: 'source (赛狐 orders + settlement rows)',
      measure: `fetch + publish, exactly-once — ${leg.label}`,
      value: `${formatCount(total / seconds)} docs/s`,
      note: `${documents} per stream over ${hours} h, ${STREAMS.length} streams side by side, 1-hour windows, 100 rows/page, ${apiCalls} API calls, ${throttled} × 40019`,
    });
  }
  process.stdout.write(
    `Saihu bench (${documents} Amazon orders + ${documents} settlement rows over ${hours} h)\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
  );
  rows.push({
    stage: 'source (赛狐)',
    measure: 'peak RSS (source + emulator in one process)',
    value: `${peakRssMb().toFixed(0)} MB`,
  });
  emitBenchRows(rows);
}

runBench('saihu-bench', main);
