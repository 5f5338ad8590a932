/**
 * The console with a full exception queue (issue #22, "Done when"): N documents parked at mapping (default 100,000),
 * seeded directly into `parked_documents`, behind the real mapping admin routes (parkingRouter behind the admin
 * guard) and a real sink admin API (PostingService over an empty ledger, never started); the console in front of
 * both, as a browser calls it. Measures, each the median of `--repeat` calls:
 * - page load: index.html + its script + /api/me + the first page of the queue (what the browser fetches to show 异常);
 * - the list API: the queue's first page (all kinds), the mapping-parked kind's first and a deep page, a query;
 * - the overview (counts per queue, capped at 1,000).
 *
 *   ./yecai stack up && eval "$(./yecai stack env)"
 *   npx tsx bench/console-bench.ts [--exceptions 100000] [--repeat 5]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createAdminAuth, createMetricsRegistry, resolveAdminTokens, startOpsServer } from '@yecai/common';
import { AuditLog, mountConsole, resolveConsoleConfig } from '@yecai/console';
import { ensureWebBuilt } from '@yecai/console/src/web-build';
import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { FilteredStore, ParkingStore, parkingRouter } from '@yecai/parking';
import { PostingService, mountSinkAdmin } from '@yecai/sink-kit';
import { MemoryTarget, MemoryTargetSystem } from '@yecai/sink-kit/src/testing/memory-target';
import { connectMongo } from '@yecai/store';
import express from 'express';
import { wholeNumberFlag } from './lib/flags';
import { emitBenchRows, type BenchRow } from './lib/results';

const { values } = parseArgs({
  options: { exceptions: { type: 'string', default: '100000' }, repeat: { type: 'string', default: '5' } },
});
const EXCEPTIONS = wholeNumberFlag('exceptions', values.exceptions);
const REPEAT = wholeNumberFlag('repeat', values.repeat);
const BATCH = 5_000;

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run ./yecai stack up && eval "$(./yecai stack env)"`);
  return value;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const mongo = await connectMongo(need('MONGODB_URI'), { appName: 'console-bench' });
  const db = mongo.db(`console_bench_${Date.now().toString(36)}`);
  const parking = new ParkingStore(db);
  await parking.ensureIndexes();
  const seedStarted = performance.now();
  for (let start = 0; start < EXCEPTIONS; start += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, EXCEPTIONS - start) }, (_, offset) => {
      const i = start + offset;
      const source = { topic: 'yecai.raw.jushuitan.sales_outstock', partition: i % 6, offset: String(i) };
      return {
        _id: ParkingStore.idOf({ stage: 'mapping', flow: 'jushuitan/sales_outstock', source }),
        stage: 'mapping',
        flow: 'jushuitan/sales_outstock',
        key: `jushuitan/bench/sales_outstock/${20_000_000 + i}`,
        level: 1 as const,
        code: i % 10 === 0 ? 'MISSING_MASTER_DATA' : 'FIELD_REQUIRED',
        reasonZh: `仓库 ${100_000 + (i % 50)} 没有金蝶仓库映射 (warehouse ${100_000 + (i % 50)} has no Kingdee warehouse mapping)`,
        reasonEn: `warehouse ${100_000 + (i % 50)} has no Kingdee warehouse mapping`,
        raw: {
          sourceSystem: 'jushuitan',
          account: 'bench',
          documentType: 'sales_outstock',
          sourceId: String(20_000_000 + i),
          payload: `{"io_id":${20_000_000 + i}}`,
        },
        source,
        parkedAt: new Date(Date.UTC(2026, 11, 1) + i * 1000),
      };
    });
    await parking.collection.insertMany(rows, { ordered: false });
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  console.log(`seeded ${EXCEPTIONS.toLocaleString('en-US')} parked documents in ${seedSeconds.toFixed(1)} s`);

  process.env.CONSOLE_BENCH_TOKEN = 'console-bench-operator-token';
  process.env.CONSOLE_BENCH_SECRET = 'console-bench-session-secret-0123456789abcdef';
  process.env.CONSOLE_BENCH_PASSWORD = 'console-bench-password';
  const tokens = resolveAdminTokens([{ name: 'console', role: 'operator', token: 'env:CONSOLE_BENCH_TOKEN' }], 'bench');
  const mapping = await startOpsServer({
    port: 0,
    registry: createMetricsRegistry('mapping-bench'),
    isReady: () => true,
    mount: (app) => {
      const router = express.Router();
      router.use(createAdminAuth({ tokens }).guard);
      router.use(parkingRouter(parking, { repush: async () => undefined, filtered: new FilteredStore(db) }));
      app.use(router);
    },
  });
  const kafka = new KafkaClient({ brokers: [need('KAFKA_BROKERS')], clientId: 'console-bench' });
  const posting = new PostingService({
    settings: {
      flows: [{ documentType: 'warehouse', billNumberPattern: '{sourceId}', onModified: 'update_if_not_audited' }],
      groupId: 'console-bench',
      sessionTimeoutMs: 30_000,
      batchSize: 5,
      chunksInFlight: 2,
      ledgerCountsRefreshMs: 600_000,
      level2RetryDelaysMs: [60_000],
      probeIntervalMs: 300,
      schedulerIntervalMs: 300,
      schedulerSweepMs: 300_000,
      staleInFlightMs: 120_000,
    },
    adapter: new MemoryTarget(new MemoryTargetSystem()),
    kafka,
    serde: new AvroSerde(need('SCHEMA_REGISTRY_URL')),
    db,
    metricsRegistry: createMetricsRegistry('sink-bench'),
    collectionPrefix: 'sink_bench',
  });
  const sink = await startOpsServer({
    port: 0,
    registry: createMetricsRegistry('sink-bench-ops'),
    isReady: () => true,
    mount: (app) => mountSinkAdmin(app, posting, tokens),
  });
  const config = resolveConsoleConfig({
    session: { secret: 'env:CONSOLE_BENCH_SECRET' },
    users: [{ name: 'bench', role: 'operator', password: 'env:CONSOLE_BENCH_PASSWORD' }],
    services: {
      sink: { url: `http://127.0.0.1:${sink.port}`, token: 'env:CONSOLE_BENCH_TOKEN' },
      mapping: { url: `http://127.0.0.1:${mapping.port}`, token: 'env:CONSOLE_BENCH_TOKEN' },
    },
  });
  const webDist = ensureWebBuilt();
  const consoleServer = await startOpsServer({
    port: 0,
    registry: createMetricsRegistry('console-bench'),
    isReady: () => true,
    mount: (app) => mountConsole(app, { config, audit: new AuditLog(db), webDist }),
  });
  const base = `http://127.0.0.1:${consoleServer.port}`;
  const login = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', password: 'console-bench-password' }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;

  const get = async (path: string): Promise<string> => {
    const response = await fetch(`${base}${path}`, { headers: { cookie } });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text.slice(0, 200)}`);
    return text;
  };
  /** Median ms of REPEAT calls after one warm-up; NaN when a call failed (e.g. the console's 15 s upstream timeout). */
  const timed = async (work: () => Promise<unknown>): Promise<number> => {
    try {
      await work(); // warm (connections, caches), not counted
      const runs: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        const started = performance.now();
        await work();
        runs.push(performance.now() - started);
      }
      return median(runs);
    } catch (error) {
      console.log(`  failed: ${(error as Error).message.slice(0, 200)}`);
      return Number.NaN;
    }
  };
  const html = await get('/exceptions');
  const script = /src="([^"]+\.js)"/.exec(html)?.[1];
  if (!script) throw new Error('index.html names no script');
  const deepPage = Math.max(1, Math.floor(EXCEPTIONS / 2 / 20));
  const firstPage = JSON.parse(await get('/api/exceptions?page=1&pageSize=20')) as {
    items: unknown[];
    hasMore: boolean;
  };
  if (firstPage.items.length !== 20 || !firstPage.hasMore)
    throw new Error(`the first page holds ${firstPage.items.length} rows`);

  const figures: [string, number][] = [
    [
      'page load (异常): index.html + script + /api/me + first page',
      await timed(async () =>
        Promise.all([
          get('/exceptions').then(() => get(script)),
          get('/api/me').then(() => get('/api/exceptions?page=1&pageSize=20')),
        ]),
      ),
    ],
    ['list API: first page, all kinds', await timed(() => get('/api/exceptions?page=1&pageSize=20'))],
    [
      'list API: first page, mapping-parked',
      await timed(() => get('/api/exceptions?kind=mapping-parked&page=1&pageSize=20')),
    ],
    [
      `list API: page ${deepPage.toLocaleString('en-US')} (row ${(deepPage * 20).toLocaleString('en-US')}), mapping-parked`,
      await timed(() => get(`/api/exceptions?kind=mapping-parked&page=${deepPage}&pageSize=20`)),
    ],
    ['list API: query "100007", first page', await timed(() => get('/api/exceptions?q=100007&page=1&pageSize=20'))],
    ['overview API (counts capped at 200)', await timed(() => get('/api/overview'))],
  ];
  console.log(`\nconsole with ${EXCEPTIONS.toLocaleString('en-US')} exceptions in the queue, median of ${REPEAT}:`);
  const shown = (ms: number) => (Number.isNaN(ms) ? 'failed (> 15 s: the upstream timeout)' : `${ms.toFixed(0)} ms`);
  for (const [measure, ms] of figures) console.log(`  ${measure.padEnd(70)} ${shown(ms).padStart(9)}`);
  const rows: BenchRow[] = figures.map(([measure, ms]) => ({
    stage: 'console',
    measure: `${measure} (${EXCEPTIONS.toLocaleString('en-US')} exceptions)`,
    value: `${ms.toFixed(0)} ms`,
    target: '< 1,000 ms',
  }));
  emitBenchRows(rows);

  await consoleServer.close();
  await sink.close();
  await mapping.close();
  await db.dropDatabase();
  await mongo.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
