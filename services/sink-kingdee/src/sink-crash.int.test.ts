/**
 * The sink process (spawned with tsx, as in production) is SIGKILLed again and again while it writes to
 * Kingdee — between the Kingdee write, the ledger update and the offset commit. The emulator must end up with
 * every document posted exactly once: one audited bill each, stock moved once each.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { AvroSerde } from '@yecai/kafka';
import { testEndpoints, testKafka, testMongo, waitFor } from '@yecai/test-harness';
import { FIXTURE, canonical, startEmulator } from '../test/fixtures';
import { billsIn, downstreamOf, producerFor, sinkConfigFor, useUniqueTopicPrefix } from '../test/sink-under-test';
import { Ledger } from './ledger';

const MAIN = join(__dirname, 'main.ts');

function startSinkProcess(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  // `node --import tsx` (as the harness's ServiceProcess): the child IS the sink. (Spawning the tsx CLI put the sink
  // in a grandchild: SIGKILL hit only the wrapper and the sink went on running, orphaned — no kill ever landed.)
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  if (process.env.SINK_CRASH_DEBUG) {
    child.stderr!.pipe(process.stderr);
    child.stdout!.pipe(process.stderr);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sink process not ready after 60 s: ${stderr}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('SINK_READY')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sink process exited (${code}) before ready: ${stderr}`));
    });
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('Kingdee sink killed with SIGKILL mid-write (child process, real Kafka + FerretDB + emulator)', () => {
  let emulator: KingdeeEmulator;
  afterEach(() => emulator?.close());

  /**
   * Produces `total` out-stocks, then starts the sink process and SIGKILLs it at least three times while it writes,
   * then lets a last one finish. Returns the kills made and the ledger's entries with their histories.
   */
  async function postThroughKills(prefix: string, total: number, overrides: Parameters<typeof sinkConfigFor>[1] = {}) {
    const topicPrefix = useUniqueTopicPrefix();
    emulator = await startEmulator();
    // Slow Kingdee calls make the kills land inside Save/Submit/Audit and before the offset commit.
    emulator.setFaults({ latencyMs: { min: 800, max: 1500 } });
    const mongo = await testMongo('sinkcrash');
    const ledger = new Ledger(mongo.db);
    const kafka = testKafka();
    const endpoints = testEndpoints();
    const dir = mkdtempSync(join(tmpdir(), 'sink-crash-'));
    const configPath = join(dir, 'sink.json');
    writeFileSync(configPath, JSON.stringify(sinkConfigFor(emulator, { batchSize: 5, staleInFlightMs: 3_000, sessionTimeoutMs: 6_000, admin: { tokens: [] }, ...overrides })));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SINK_CONFIG: configPath,
      KAFKA_BROKERS: endpoints.kafkaBrokers,
      SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
      MONGODB_URI: endpoints.mongodbUri,
      MONGODB_DB: mongo.db.databaseName,
      SINK_OPS_PORT: '0',
      YECAI_TOPIC_PREFIX: topicPrefix,
      SINK_TEST_KD_SECRET: FIXTURE.appSecret,
      LOG_LEVEL: 'warn',
    };
    const stockBefore = emulator.state.stockOf('100', 'A1001-BLK', 'CK001', '0');
    const produce = await producerFor(kafka, new AvroSerde(endpoints.schemaRegistryUrl));
    await produce('sales_outstock', Array.from({ length: total }, (_, i) => canonical('sales_outstock', `${prefix}${String(i).padStart(3, '0')}`)));

    const postedCount = async () => (await ledger.current({ state: 'POSTED' })).length;
    let kills = 0;
    try {
      for (let round = 0; round < 4; round++) {
        const child = await startSinkProcess(env);
        const since = new Date();
        // PENDING claimed by this process = Kingdee write under way: kill right there.
        const writing = async () => (await ledger.revisions.countDocuments({ state: 'PENDING', updatedAt: { $gt: since } })) > 0;
        await waitFor(writing, `sink round ${round} writing`, 60_000).catch(() => undefined);
        // A claim was just written; its chunk's Kingdee calls take 0.8–1.5 s each (query/save, submit, audit: 2.4–6 s
        // in all) and the outcome is written only after the last one. Killing 1–2.5 s after the claim lands after
        // Kingdee applied the Save and before the ledger holds the outcome, for most chunks in flight.
        await new Promise((resolve) => setTimeout(resolve, 1_000 + Math.floor(Math.random() * 1_500)));
        await kill9(child);
        kills++;
        // Under load a round can post much before its kill lands: keep killing until three kills were made.
        if (kills >= 3 && (await postedCount()) === total) break;
      }
      const last = await startSinkProcess(env);
      try {
        await waitFor(async () => (await postedCount()) === total, `all ${total} POSTED after ${kills} kills`, 120_000).catch(async (error: Error) => {
          const now = (await ledger.current()).filter((entry) => entry.state !== 'POSTED');
          throw new Error(`${error.message}; not posted: ${now.map((entry) => `${entry.billNo} ${entry.state}/${entry.stage} ${entry.problem?.message ?? ''}`).join('; ')}`);
        });
      } finally {
        await kill9(last);
      }
    } finally {
      await kafka.disconnect();
    }
    const entries = await ledger.current();
    const histories = await Promise.all(entries.map((entry) => ledger.history(entry._id)));
    await mongo.close();
    return { kills, entries, histories, stockBefore };
  }

  it('repeated SIGKILL between the Kingdee write and the offset commit: every document posted exactly once, none missing', async () => {
    const total = 60;
    const { kills, entries, histories, stockBefore } = await postThroughKills('KILL-', total);

    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'KILL-');
    expect(bills.map((bill) => bill.billNo).sort()).toEqual(Array.from({ length: total }, (_, i) => `KILL-${String(i).padStart(3, '0')}`));
    expect(bills.every((bill) => bill.status === 'C')).toBe(true);
    expect(emulator.state.stockOf('100', 'A1001-BLK', 'CK001', '0').toFixed()).toBe(stockBefore.minus(2 * total).toFixed());
    expect(entries).toHaveLength(total);
    expect(new Set(entries.map((entry) => entry.fid)).size).toBe(total);
    const resolvedByQuery = histories.filter((steps) => steps.some((step) => step.event === 'reconciled' || step.event === 'adopted_existing')).length;
    const eventCounts = new Map<string, number>();
    for (const step of histories.flat()) eventCounts.set(step.event, (eventCounts.get(step.event) ?? 0) + 1);
    process.stdout.write(`[sink crash test] ${kills} SIGKILLs; ${resolvedByQuery} bills resolved by ExecuteBillQuery after a kill; ledger events ${JSON.stringify(Object.fromEntries(eventCounts))}\n`);
    expect(kills).toBeGreaterThanOrEqual(3);
    // At least one kill landed after a claim and before its outcome: the next run resolved it by query.
    expect(resolvedByQuery).toBeGreaterThanOrEqual(1);
  }, 600_000);

  it('with 下推: after repeated SIGKILLs every out-stock has exactly one audited 应收单 linked to it', async () => {
    const total = 20;
    const { kills, entries, histories } = await postThroughKills('KILLPD-', total, { flows: [{ documentType: 'sales_outstock', pushDown: { ruleId: 'AR_OutStockToReceivableMap' } }] });
    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'KILLPD-');
    expect(bills).toHaveLength(total);
    const receivables = downstreamOf(emulator, 'AR_receivable');
    for (const bill of bills) expect({ number: bill.billNo, receivables: receivables.get(bill.billNo) }).toEqual({ number: bill.billNo, receivables: ['C'] });
    expect(emulator.state.billsOf('AR_receivable').size).toBe(total);
    expect(entries.every((entry) => entry.downstream?.stage === 'AUDITED')).toBe(true);
    const found = histories.filter((steps) => steps.some((step) => step.event === 'downstream_found' || step.event === 'reconciled')).length;
    process.stdout.write(`[sink crash test, 下推] ${kills} SIGKILLs; ${found} documents resolved by query after a kill\n`);
    expect(kills).toBeGreaterThanOrEqual(3);
  }, 600_000);
});
