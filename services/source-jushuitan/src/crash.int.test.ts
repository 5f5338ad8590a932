/**
 * kill -9 of the source process at random instants of a 20,000-document sync, then restart: the committed
 * raw topics hold every (id, modified) exactly once and the checkpoints never ran ahead of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatBeijingTime, getFreePort, sleep } from '@yecai/common';
import { startJushuitanEmulator, type JstEmulator } from '@yecai/emulator-jushuitan';
import { testEndpoints, testKafka, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import type { KafkaClient } from '@yecai/kafka';
import { committedCheckpoints, exactlyOnceReport, readRawDocuments, TEST_SECRET_ENV } from './test-support';

const MINUTE = 60_000;
const DAY = 86_400_000;
const REPO = resolve(__dirname, '../../..');
const MAIN = join(REPO, 'services/source-jushuitan/src/main.ts');

describe('JST source killed with SIGKILL mid-sync', () => {
  let emulator: JstEmulator;
  let kafka: KafkaClient;
  let child: ChildProcess | undefined;

  afterEach(async () => {
    child?.kill('SIGKILL');
    await emulator?.close();
    await kafka?.disconnect();
  });

  it('restarts from the last committed checkpoint with nothing lost and nothing repeated', async () => {
    const prefix = uniqueTopicPrefix('jstkill');
    process.env.YECAI_TOPIC_PREFIX = prefix;
    kafka = testKafka();
    const now = Date.now();
    emulator = await startJushuitanEmulator({
      seed: 11,
      rateLimits: { perSecond: 10_000, perMinute: 1_000_000 },
      documents: {
        perType: { sales_outstock: 12_000, aftersale: 8_000 },
        fromMs: now - 5 * DAY,
        toMs: now - 2 * MINUTE,
        sameSecondRatio: 0.4,
      },
      // Slows a full sync to ~20 s so that most kills land while it is still running.
      faults: { latencyMs: 60 },
    });
    const opsPort = await getFreePort();
    const dir = mkdtempSync(join(tmpdir(), 'jst-kill-'));
    const configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        opsPort,
        pollIntervalSeconds: 1,
        windowMinutes: 240,
        retry: { initialDelayMs: 20, maxDelayMs: 200 },
        accounts: [
          {
            name: 'acme',
            baseUrl: emulator.url,
            appKey: 'ak_test',
            appSecret: 'env:JST_TEST_APP_SECRET',
            accessToken: 'env:JST_TEST_ACCESS_TOKEN',
            refreshToken: 'env:JST_TEST_REFRESH_TOKEN',
            startAt: formatBeijingTime(now - 6 * DAY),
            streams: ['sales_outstock', 'aftersale'],
            rateLimits: { perSecond: 10_000, perMinute: 1_000_000 },
          },
        ],
      }),
    );
    const { kafkaBrokers, schemaRegistryUrl } = testEndpoints();
    const log = openSync(join(dir, 'source.log'), 'a');
    const startSource = () =>
      spawn(process.execPath, ['--import', 'tsx', MAIN, '--config', configPath], {
        cwd: REPO,
        env: {
          ...process.env,
          ...TEST_SECRET_ENV,
          KAFKA_BROKERS: kafkaBrokers,
          SCHEMA_REGISTRY_URL: schemaRegistryUrl,
          YECAI_TOPIC_PREFIX: prefix,
          LOG_LEVEL: 'warn',
          JEST_WORKER_ID: '',
        },
        stdio: ['ignore', log, log],
      });
    const exited = (process: ChildProcess) =>
      new Promise<void>((done) =>
        process.exitCode !== null || process.signalCode !== null ? done() : process.once('exit', () => done()),
      );

    const cursorsAtKill: string[] = [];
    for (let kill = 0; kill < 5; kill++) {
      child = startSource();
      await sleep(2500 + Math.floor(Math.random() * 3000)); // start-up takes ~2–3 s; then a random instant of the sync
      child.kill('SIGKILL');
      await exited(child);
      const checkpoints = await committedCheckpoints(kafka);
      cursorsAtKill.push(
        `${checkpoints.get('acme/sales_outstock')?.cursor ?? '-'}/${checkpoints.get('acme/aftersale')?.cursor ?? '-'}`,
      );
      // The checkpoint never runs ahead: every version at or before a committed cursor is already committed.
      const covered = (['sales_outstock', 'aftersale'] as const).flatMap((type) => {
        const cursor = Number(checkpoints.get(`acme/${type}`)?.cursor ?? 0);
        return emulator.store.versions(type).filter((v) => v.modifiedMs <= cursor);
      });
      if (covered.length > 0) {
        const raw = [
          ...(await readRawDocuments(kafka, schemaRegistryUrl, 'sales_outstock')),
          ...(await readRawDocuments(kafka, schemaRegistryUrl, 'aftersale')),
        ];
        const published = new Set(raw.map((d) => `${d.sourceId}@${Number(d.sourceModifiedAt)}`));
        expect(covered.filter((v) => !published.has(`${v.id}@${v.modifiedMs}`)).map((v) => v.id)).toEqual([]);
      }
    }
    child = startSource();
    const target = Date.now() - MINUTE - 2000;
    await waitFor(
      async () => {
        const checkpoints = await committedCheckpoints(kafka);
        return ['acme/sales_outstock', 'acme/aftersale'].every(
          (key) => Number(checkpoints.get(key)?.cursor ?? 0) >= target,
        );
      },
      'both live cursors to reach now − lag',
      100_000,
    );
    // The live service answers its operations endpoints.
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toMatch(/yecai_source_cursor_lag_seconds\{[^}]*stream="aftersale"/);
    expect(metrics).not.toContain('sk_test');
    child.kill('SIGTERM');
    await exited(child);

    // Most kills landed mid-sync: the cursors committed just before them were still behind.
    const midSync = cursorsAtKill.filter((pair) =>
      pair.split('/').some((cursor) => cursor === '-' || Number(cursor) < target - MINUTE),
    );
    expect(midSync.length).toBeGreaterThanOrEqual(3);
    const sales = await readRawDocuments(kafka, schemaRegistryUrl, 'sales_outstock');
    const returns = await readRawDocuments(kafka, schemaRegistryUrl, 'aftersale');
    expect(exactlyOnceReport(emulator, 'sales_outstock', sales)).toEqual({ duplicates: [], missing: [] });
    expect(exactlyOnceReport(emulator, 'aftersale', returns)).toEqual({ duplicates: [], missing: [] });
    expect(sales.length + returns.length).toBe(20_000);
    process.stdout.write(`JST kill -9 proof: cursors at kills ${cursorsAtKill.join(', ')}; logs in ${dir}\n`);
  }, 240_000);
});
