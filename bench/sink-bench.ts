/**
 * Kingdee sink throughput: documents/s from canonical topic to POSTED (Save + Submit + Audit, ledger writes and
 * offset commits included) against a zero-latency Kingdee emulator, and how much of a configured Kingdee call
 * rate the sink uses when that limit is the bottleneck (sustained calls/s, fraction, most calls in any 1 s window).
 *
 *   ./yecai stack up && eval "$(./yecai stack env)"
 *   npx tsx bench/sink-bench.ts [--docs 5000] [--batch 50] [--chunks 8] [--rate 20] [--rate-docs 200] [--rate-batch 1]
 *                               [--rate-concurrent 2] [--only throughput|rate] [--replay]
 *
 * The emulator runs in a child process (its own core, as a real Kingdee would be elsewhere); the sink runs in this
 * process over the stack's real Kafka, registry and MongoDB-wire store (FerretDB in `yecai stack`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createMetricsRegistry } from '@yecai/common';
import { AvroSerde, KafkaClient, topics } from '@yecai/kafka';
import { KingdeeClient } from '@yecai/kingdee';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { connectMongo } from '@yecai/store';
import { Ledger, parseSinkConfig, SinkService } from '@yecai/sink-kingdee';
import { canonical } from '@yecai/sink-kingdee/test/fixtures';
import { producerFor, sinkConfigFor } from '@yecai/sink-kingdee/test/sink-under-test';
import { wholeNumberFlag } from './lib/flags';
import { emitBenchRows, type BenchRow } from './lib/results';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '5000' },
    batch: { type: 'string', default: '50' },
    chunks: { type: 'string', default: '8' },
    rate: { type: 'string', default: '20' },
    'rate-docs': { type: 'string', default: '200' },
    'rate-batch': { type: 'string', default: '1' },
    'rate-concurrent': { type: 'string', default: '2' },
    only: { type: 'string' },
    /** After the throughput run, replay the topic into a fresh sink (new group, empty cache) and time it. */
    replay: { type: 'boolean', default: false },
    /** Comma-separated pids (e.g. FerretDB's, Kafka's) whose CPU seconds during the timed window are reported. */
    'watch-pids': { type: 'string', default: '' },
  },
});

const ROOT = join(__dirname, '..');

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run ./yecai stack up && eval "$(./yecai stack env)"`);
  return value;
}

/** The Kingdee emulator CLI in a child process; resolves with its site URL. */
async function startEmulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  // `node --import tsx`: the child is the emulator itself, so killing it leaves nothing behind.
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/emulators/kingdee/src/main.ts'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`Kingdee emulator exited (${code}) before printing its URL`)));
    lines.on('line', (line) => {
      if (/^https?:\/\//.test(line.trim())) resolve(line.trim());
    });
  });
  return { url, child };
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN when unreadable. */
function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function emulatorAdmin<T>(url: string, path: string, body?: unknown): Promise<T> {
  const origin = new URL(url).origin;
  const response = await fetch(`${origin}/__admin/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`emulator ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface RunResult {
  docs: number;
  /** From the sink's start to its first posted document (consumer group join, first chunk). */
  startupSeconds: number;
  /** Documents posted inside the timed window (from the first posted document to the last). */
  timedDocs: number;
  seconds: number;
  docsPerSecond: number;
  calls: number;
  /** Sustained Kingdee call rate: calls started in the whole seconds from the first call start on. */
  callsPerSecond: number;
  /** Most call starts in any 1-second window. */
  maxCallsInOneSecond: number;
  audited: number;
  posted: number;
  committed: boolean;
  /** CPU seconds used during the timed window: this process (the sink), the emulator, and each watched pid. */
  cpuSeconds: Record<string, number>;
  /** `--replay`: a fresh sink (new consumer group, nothing cached) re-reading the whole topic afterwards. */
  replay?: { seconds: number; docsPerSecond: number; newKingdeeCalls: number; billsAfter: number; committed: boolean };
  /**
   * The scheduler's sweep for open entries as another instance does it after a rebalance (nothing cached), over the
   * ledger the run left: each reads every entry's revision numbers and loads only the open entries; the second shows
   * what a repeat costs (nothing is cached between them).
   */
  sweepMs: { first: number; second: number; openFound: number };
}

/** Polls until `groupId` has committed `topic` to its end (false after `timeoutMs`). */
async function waitCommitted(kafka: KafkaClient, groupId: string, topic: string, timeoutMs: number): Promise<boolean> {
  const admin = await kafka.admin();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    if (ends.every((end) => offsets?.partitions.find((p) => p.partition === end.partition)?.offset === end.high)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

async function run(docs: number, batchSize: number, chunksInFlight: number, limits: { callsPerSecond: number; maxConcurrent: number }): Promise<RunResult> {
  const prefix = `bench${Date.now().toString(36)}.`;
  process.env.YECAI_TOPIC_PREFIX = prefix;
  const emulator = await startEmulatorProcess();
  try {
    await emulatorAdmin(emulator.url, 'stock', { org: '100', material: 'A1001-BLK', warehouse: 'CK001', lot: '0', qty: 10_000_000 });
    const mongo = await connectMongo(need('MONGODB_URI'), { appName: 'sink-bench' });
    const db = mongo.db(`sinkbench_${Date.now().toString(36)}`);
    const kafka = new KafkaClient({ brokers: need('KAFKA_BROKERS').split(','), clientId: 'sink-bench' });
    const serde = new AvroSerde(need('SCHEMA_REGISTRY_URL'));
    const config = parseSinkConfig(
      sinkConfigFor({ url: emulator.url } as KingdeeEmulator, {
        batchSize,
        chunksInFlight,
        schedulerIntervalMs: 5_000, // the production default (the tests' 300 ms would scan the ledger 3×/s)
        kingdee: { limits, retry: { maxAttempts: 4, initialDelayMs: 1_100, maxDelayMs: 5_000 }, timeoutMs: 30_000 },
        admin: { tokens: [] },
      }),
      'bench',
    );
    const callStarts: number[] = [];
    const client = KingdeeClient.fromConfig(config.kingdee, { onCall: ({ operation, durationMs }) => void (operation !== 'Login' && callStarts.push(Date.now() - durationMs)) });
    // The backlog is in Kafka before the sink starts: the figure is the sink draining it. (Until 2026-11-24 the sink
    // was started first and posted while the backlog was still being produced, outside the clock — which overstated
    // the rate, the more so the bigger the run.)
    await kafka.ensureTopics([{ topic: topics.canonical('sales_outstock') }]);
    const produce = await producerFor(kafka, serde);
    const events = Array.from({ length: docs }, (_, i) => canonical('sales_outstock', `B-${String(i).padStart(6, '0')}`));
    for (let i = 0; i < events.length; i += 500) await produce('sales_outstock', events.slice(i, i + 500));
    const service = new SinkService({ config, kafka, serde, db, client, metricsRegistry: createMetricsRegistry('sink-bench') });
    const startCalled = Date.now();
    await service.start();
    const posted = () => service.ledger.stateCounts().filter((row) => row.state === 'POSTED').reduce((sum, row) => sum + row.count, 0);
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
    // The clock starts at the first posted document (the consumer group's join is start-up, not throughput); the
    // documents already posted then are not counted.
    while (posted() === 0) await tick();
    const watched = [['sink', process.pid], ['emulator', emulator.child.pid ?? 0], ...values['watch-pids']!.split(',').filter(Boolean).map((pid) => [`pid ${pid}`, Number(pid)] as const)] as const;
    const sinkCpuBefore = process.cpuUsage();
    const cpuBefore = watched.map(([, pid]) => cpuSecondsOf(pid));
    const started = Date.now();
    const postedBeforeClock = posted();
    let lastReport = started;
    while (posted() < docs) {
      await tick();
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        process.stderr.write(`  … ${posted()} / ${docs} posted after ${((lastReport - started) / 1000).toFixed(0)} s\n`);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const sinkCpu = process.cpuUsage(sinkCpuBefore);
    const cpuSeconds = Object.fromEntries(
      watched.map(([name, pid], index) => [name, Number((name === 'sink' ? (sinkCpu.user + sinkCpu.system) / 1e6 : cpuSecondsOf(pid) - cpuBefore[index]!).toFixed(2))]),
    );
    // Checks outside the clock: the ledger (one full read), Kingdee, and the committed offsets.
    const ledgerPosted = (await service.ledger.current({ state: 'POSTED' })).length;
    const bills = await emulatorAdmin<{ billNo: string; status: string }[]>(emulator.url, 'bills?formId=SAL_OUTSTOCK');
    const audited = bills.filter((bill) => bill.billNo.startsWith('B-') && bill.status === 'C').length;
    const topic = topics.canonical('sales_outstock');
    const committed = await waitCommitted(kafka, config.groupId, topic, 10_000);
    await service.stop();
    const sweep = async () => {
      const sweepStarted = Date.now();
      const open = await new Ledger(db).due(new Date(), config.staleInFlightMs, 1_000);
      return { ms: Date.now() - sweepStarted, open: open.length };
    };
    const firstSweep = await sweep();
    const secondSweep = await sweep();
    let replay: RunResult['replay'];
    if (values.replay) {
      // A backfill replay: every document is already posted; the ledger must answer each without a second bill.
      const callsBefore = callStarts.length;
      const replayConfig = { ...config, groupId: `${config.groupId}-replay` };
      const replaying = new SinkService({ config: replayConfig, kafka, serde, db, client, metricsRegistry: createMetricsRegistry('sink-bench-replay') });
      const replayStarted = Date.now();
      await replaying.start();
      const replayCommitted = await waitCommitted(kafka, replayConfig.groupId, topic, 1_800_000);
      const replaySeconds = (Date.now() - replayStarted) / 1000;
      await replaying.stop();
      const billsAfter = (await emulatorAdmin<{ billNo: string }[]>(emulator.url, 'bills?formId=SAL_OUTSTOCK')).filter((bill) => bill.billNo.startsWith('B-')).length;
      replay = { seconds: replaySeconds, docsPerSecond: docs / replaySeconds, newKingdeeCalls: callStarts.length - callsBefore, billsAfter, committed: replayCommitted };
    }
    await kafka.disconnect();
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
    callStarts.sort((a, b) => a - b);
    let maxInWindow = 0;
    for (let i = 0, j = 0; i < callStarts.length; i++) {
      while (callStarts[j]! <= callStarts[i]! - 1000) j++;
      maxInWindow = Math.max(maxInWindow, i - j + 1);
    }
    // Sustained rate: calls started in the whole seconds after the first call (a sliding-window limiter may let
    // a second's calls go in a burst, so (n − 1) / span would overstate it).
    const wholeSeconds = callStarts.length > 1 ? Math.floor((callStarts[callStarts.length - 1]! - callStarts[0]!) / 1000) : 0;
    const inWholeSeconds = callStarts.filter((start) => start < callStarts[0]! + wholeSeconds * 1000).length;
    return {
      docs,
      startupSeconds: (started - startCalled) / 1000,
      timedDocs: docs - postedBeforeClock,
      seconds,
      docsPerSecond: (docs - postedBeforeClock) / seconds,
      calls: callStarts.length,
      callsPerSecond: wholeSeconds > 0 ? inWholeSeconds / wholeSeconds : NaN,
      maxCallsInOneSecond: maxInWindow,
      audited,
      posted: ledgerPosted,
      committed,
      cpuSeconds,
      sweepMs: { first: firstSweep.ms, second: secondSweep.ms, openFound: secondSweep.open },
      ...(replay ? { replay } : {}),
    };
  } finally {
    emulator.child.kill('SIGTERM');
  }
}

async function main() {
  const rows: BenchRow[] = [];
  const check = (result: RunResult) => (result.audited === result.docs && result.posted === result.docs && result.committed ? 'all audited in Kingdee, POSTED in the ledger, offsets committed' : `CHECK FAILED: audited ${result.audited}, posted ${result.posted}, committed ${result.committed}`);
  if (values.only !== 'rate') {
    const docs = wholeNumberFlag('docs', values.docs);
    const batch = wholeNumberFlag('batch', values.batch);
    const chunks = wholeNumberFlag('chunks', values.chunks);
    const free = await run(docs, batch, chunks, { callsPerSecond: 10_000, maxConcurrent: 8 });
    console.log(JSON.stringify({ run: 'zero-latency emulator', batch, chunksInFlight: chunks, ...free }));
    rows.push({ stage: 'sink', measure: `docs/s, zero-latency Kingdee, ${docs} docs, batch ${values.batch}`, value: `${free.docsPerSecond.toFixed(0)} docs/s`, target: '≥ 10,000 docs/s', note: check(free) });
    if (free.replay) {
      const replayed = free.replay;
      const replayCheck = replayed.committed && replayed.newKingdeeCalls === 0 && replayed.billsAfter === docs ? `no second bill (${replayed.billsAfter} bills), ${replayed.newKingdeeCalls} Kingdee calls` : `CHECK FAILED: ${replayed.billsAfter} bills, ${replayed.newKingdeeCalls} new calls, committed ${replayed.committed}`;
      rows.push({ stage: 'sink', measure: `replay of the same ${docs} posted docs into a fresh sink (new group, empty cache)`, value: `${replayed.docsPerSecond.toFixed(0)} docs/s`, note: replayCheck });
    }
    rows.push({ stage: 'sink', measure: `sweep for open ledger entries after ${docs} posted (another instance, nothing cached)`, value: `first ${free.sweepMs.first} ms, next ${free.sweepMs.second} ms`, note: `${free.sweepMs.openFound} open entries found` });
  }
  if (values.only !== 'throughput') {
    const rate = wholeNumberFlag('rate', values.rate);
    const limited = await run(wholeNumberFlag('rate-docs', values['rate-docs']), wholeNumberFlag('rate-batch', values['rate-batch']), wholeNumberFlag('chunks', values.chunks), { callsPerSecond: rate, maxConcurrent: wholeNumberFlag('rate-concurrent', values['rate-concurrent']) });
    const fraction = limited.callsPerSecond / rate;
    console.log(JSON.stringify({ run: `rate limit ${rate} calls/s`, batch: Number(values['rate-batch']), ...limited, configuredCallsPerSecond: rate, achievedFraction: fraction }));
    rows.push({
      stage: 'sink',
      measure: `share of a ${rate} calls/s Kingdee limit (batch ${values['rate-batch']}, ${values['rate-docs']} docs)`,
      value: `${(fraction * 100).toFixed(1)} % (${limited.callsPerSecond.toFixed(2)} calls/s; max ${limited.maxCallsInOneSecond} in any 1 s)`,
      target: `≥ 95 %, never above ${rate} in 1 s`,
      note: check(limited),
    });
  }
  emitBenchRows(rows);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
