/**
 * JST source throughput: documents/s fetched from the emulator, and fetched + published to Kafka
 * (raw Avro documents and checkpoint, one transaction per page).
 *
 *   eval "$(./yecai stack env)"   # or any KAFKA_BROKERS / SCHEMA_REGISTRY_URL
 *   tsx bench/jushuitan-bench.ts [--documents 20000] [--latency-ms 0]
 *
 * Without Kafka endpoints only the fetch-only figure is measured.
 */
import { parseArgs } from 'node:util';
import { formatBeijingTime } from '@yecai/common';
import { CallRateLimiter, StreamSync, SyncEvents, type CheckpointCommitter } from '@yecai/connector-kit';
import { startJushuitanEmulator } from '@yecai/emulator-jushuitan';
import { JST_STREAMS, JushuitanTransport, createJstService } from '@yecai/source-jushuitan';
import { testConfig } from '@yecai/source-jushuitan/src/test-support';
import { type BenchRow, emitBenchRows, formatCount, peakRssMb } from './lib/results';
import { runBench } from './lib/run';

const { values } = parseArgs({
  options: { documents: { type: 'string', default: '20000' }, 'latency-ms': { type: 'string', default: '0' } },
});
const documents = Number(values.documents);
const latencyMs = Number(values['latency-ms']);
const DAY = 86_400_000;

async function main(): Promise<void> {
  const now = Date.now();
  const emulator = await startJushuitanEmulator({
    seed: 21,
    rateLimits: { perSecond: 1_000_000, perMinute: 1_000_000 },
    documents: { perType: { sales_outstock: documents }, fromMs: now - 3 * DAY, toMs: now - 120_000 },
    faults: { latencyMs },
  });
  const startAt = now - 4 * DAY;
  const stream = {
    ...JST_STREAMS.find((s) => s.name === 'sales_outstock')!,
    cursor: { ...(JST_STREAMS[0]!.cursor as object), windowMs: 4 * 3600_000 },
  } as (typeof JST_STREAMS)[number];
  const lines: string[] = [];
  const rows: BenchRow[] = [];
  try {
    // 1. Fetch only: the kit's paging, dedup and hashing, committing into memory.
    const discard: CheckpointCommitter = { commit: async () => undefined };
    const transport = new JushuitanTransport({
      baseUrl: emulator.url,
      appKey: 'ak_test',
      appSecret: 'sk_test',
      tokens: { accessToken: 'at_test' },
    });
    const sync = new StreamSync(
      {
        account: 'bench',
        stream,
        transport,
        limiter: new CallRateLimiter({ perSecond: 1_000_000, perMinute: 1_000_000 }),
        committer: discard,
        events: new SyncEvents(),
      },
      {
        version: 1,
        account: 'bench',
        stream: stream.name,
        mode: 'live',
        cursor: String(startAt),
        completed: false,
        seen: {},
        updatedAt: 0,
      },
    );
    let started = performance.now();
    const fetched = await sync.runCycle();
    let seconds = (performance.now() - started) / 1000;
    lines.push(
      `fetch only: ${fetched.published} documents, ${fetched.apiCalls} API calls in ${seconds.toFixed(1)} s → ${(fetched.published / seconds).toFixed(0)} documents/s`,
    );
    rows.push({ stage: 'source (聚水潭)', measure: 'fetch only (emulator, no limit)', value: `${formatCount(fetched.published / seconds)} docs/s`, note: `${fetched.apiCalls} API calls, 50 rows/page` });

    // 2. Fetch and publish through Kafka transactions.
    if (process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL) {
      process.env.YECAI_TOPIC_PREFIX = `bench-${Date.now()}.`;
      const config = testConfig(emulator, {
        startAt: formatBeijingTime(startAt),
        streams: ['sales_outstock'],
        windowMinutes: 240,
      });
      config.accounts[0]!.rateLimits = { perSecond: 1_000_000, perMinute: 1_000_000 };
      const service = createJstService(config);
      try {
        await service.runtime.prepare();
        started = performance.now();
        const results = await service.runtime.runOnce();
        seconds = (performance.now() - started) / 1000;
        const result = results.get('acme/sales_outstock')!;
        lines.push(
          `fetch + publish (Kafka transaction per page): ${result.published} documents in ${seconds.toFixed(1)} s → ${(result.published / seconds).toFixed(0)} documents/s`,
        );
        rows.push({ stage: 'source (聚水潭)', measure: 'fetch + publish, exactly-once', value: `${formatCount(result.published / seconds)} docs/s`, target: 'real tenant: 83 docs/s (100 calls/min × 50 rows)', note: 'one Kafka transaction per page' });
      } finally {
        await service.close();
      }
    } else {
      lines.push('fetch + publish: skipped (KAFKA_BROKERS / SCHEMA_REGISTRY_URL not set)');
    }
    // The documented JST limit (100 calls/min × 50 rows) bounds any real tenant, whatever the connector does.
    lines.push(`real-tenant ceiling at 100 calls/min × 50 rows/page: ${((100 * 50) / 60).toFixed(0)} documents/s`);
  } finally {
    await emulator.close();
  }
  process.stdout.write(
    `JST bench (${documents} documents, emulator latency ${latencyMs} ms)\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
  );
  rows.push({ stage: 'source (聚水潭)', measure: 'peak RSS (source + emulator in one process)', value: `${peakRssMb().toFixed(0)} MB` });
  emitBenchRows(rows);
}

runBench('jushuitan-bench', main);
