/**
 * WDT source throughput, per edition: documents/s fetched from the emulator, and fetched + published to Kafka
 * (raw Avro documents and checkpoint, one transaction per page).
 *
 *   eval "$(./yecai stack env)"   # or any KAFKA_BROKERS / SCHEMA_REGISTRY_URL
 *   tsx bench/wangdiantong-bench.ts [--documents 20000] [--latency-ms 0]
 *
 * Without Kafka endpoints only the fetch-only figures are measured.
 */
import { parseArgs } from 'node:util';
import { formatBeijingTime } from '@yecai/common';
import { CallRateLimiter, StreamSync, SyncEvents, type CheckpointCommitter } from '@yecai/connector-kit';
import { DEFAULT_QJB_ACCOUNT, DEFAULT_QYB_ACCOUNT, startWangdiantongEmulator } from '@yecai/emulator-wangdiantong';
import { WangdiantongTransport, createWdtService, wdtStreams, type WdtEdition } from '@yecai/source-wangdiantong';
import { testConfig } from '@yecai/source-wangdiantong/src/test-support';
import { type BenchRow, emitBenchRows, formatCount, peakRssMb } from './lib/results';
import { runBench } from './lib/run';

const { values } = parseArgs({
  options: { documents: { type: 'string', default: '20000' }, 'latency-ms': { type: 'string', default: '0' } },
});
const documents = Number(values.documents);
const latencyMs = Number(values['latency-ms']);
const DAY = 86_400_000;
const EDITION_NAME: Record<WdtEdition, string> = { qyb: '企业版', qjb: '旗舰版' };

async function main(): Promise<void> {
  const now = Date.now();
  const emulator = await startWangdiantongEmulator({
    seed: 21,
    rateLimits: { perMinute: 1_000_000, concurrent: 1000 },
    // All 已完成: the 旗舰版 stream asks for status 110 only, so both editions read the same 20,000.
    documents: { perType: { sales_out: documents }, fromMs: now - 3 * DAY, toMs: now - 120_000, status: 110 },
    faults: { latencyMs },
  });
  const startAt = now - 4 * DAY;
  const lines: string[] = [];
  const rows: BenchRow[] = [];
  try {
    for (const edition of ['qyb', 'qjb'] as const) {
      const stage = `source (旺店通 ${EDITION_NAME[edition]})`;
      // 企业版 allows 30-day windows (4 h here, as in the JST bench); 旗舰版 sales out-stock at most 60 minutes.
      const stream = wdtStreams({ edition, windowMinutes: 240 }).find((s) => s.name === 'sales_outstock')!;
      const windowMinutes = (stream.cursor as { windowMs: number }).windowMs / 60_000;
      // 1. Fetch only: the kit's paging, dedup and hashing, committing into memory.
      const discard: CheckpointCommitter = { commit: async () => undefined };
      const transport = new WangdiantongTransport({
        credentials:
          edition === 'qyb'
            ? {
                edition,
                sid: DEFAULT_QYB_ACCOUNT.sid,
                appKey: DEFAULT_QYB_ACCOUNT.appkey,
                appSecret: DEFAULT_QYB_ACCOUNT.appsecret,
              }
            : {
                edition,
                sid: DEFAULT_QJB_ACCOUNT.sid,
                appKey: DEFAULT_QJB_ACCOUNT.key,
                secret: DEFAULT_QJB_ACCOUNT.secret,
                salt: DEFAULT_QJB_ACCOUNT.salt,
              },
        baseUrl: edition === 'qyb' ? `${emulator.url}/openapi2` : `${emulator.url}/openapi`,
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
        `${edition} fetch only: ${fetched.published} documents, ${fetched.apiCalls} API calls (${windowMinutes}-min windows) in ${seconds.toFixed(1)} s → ${(fetched.published / seconds).toFixed(0)} documents/s`,
      );
      rows.push({
        stage,
        measure: 'fetch only (emulator, no limit)',
        value: `${formatCount(fetched.published / seconds)} docs/s`,
        note: `${fetched.apiCalls} API calls, ${windowMinutes}-min windows, 100 rows/page`,
      });

      // 2. Fetch and publish through Kafka transactions, the real service wiring.
      if (process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL) {
        process.env.YECAI_TOPIC_PREFIX = `bench-${edition}-${Date.now()}.`;
        const config = testConfig(
          emulator,
          [{ name: 'acme', edition, startAt: formatBeijingTime(startAt), streams: ['sales_outstock'] }],
          { windowMinutes: 240 },
        );
        config.accounts[0]!.rateLimits = { perSecond: 1_000_000, perMinute: 1_000_000 };
        const service = createWdtService(config);
        try {
          await service.runtime.prepare();
          started = performance.now();
          const results = await service.runtime.runOnce();
          seconds = (performance.now() - started) / 1000;
          const result = results.get('acme/sales_outstock')!;
          lines.push(
            `${edition} fetch + publish (Kafka transaction per page): ${result.published} documents in ${seconds.toFixed(1)} s → ${(result.published / seconds).toFixed(0)} documents/s`,
          );
          rows.push({
            stage,
            measure: 'fetch + publish, exactly-once',
            value: `${formatCount(result.published / seconds)} docs/s`,
            note: 'one Kafka transaction per page',
          });
        } finally {
          await service.close();
        }
      } else {
        lines.push(`${edition} fetch + publish: skipped (KAFKA_BROKERS / SCHEMA_REGISTRY_URL not set)`);
      }
    }
    // WDT publishes no quota; at the client default of 240 calls/min × 100 rows a tenant is bound here.
    lines.push(
      `ceiling at the client default 240 calls/min × 100 rows/page: ${((240 * 100) / 60).toFixed(0)} documents/s`,
    );
  } finally {
    await emulator.close();
  }
  process.stdout.write(
    `WDT bench (${documents} documents, emulator latency ${latencyMs} ms)\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
  );
  rows.push({
    stage: 'source (旺店通)',
    measure: 'peak RSS (source + emulator in one process)',
    value: `${peakRssMb().toFixed(0)} MB`,
  });
  emitBenchRows(rows);
}

runBench('wangdiantong-bench', main);
