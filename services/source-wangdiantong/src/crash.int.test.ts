/**
 * kill -9 of the WDT source process at random instants of a sync of two accounts — one 企业版, one 旗舰版 — then
 * restart: the committed raw topics hold every (account, id, modified) exactly once and the checkpoints never ran
 * ahead of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatBeijingTime, getFreePort, sleep } from '@yecai/common';
import { startWangdiantongEmulator, type WdtEmulator } from '@yecai/emulator-wangdiantong';
import { testEndpoints, testKafka, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import type { KafkaClient } from '@yecai/kafka';
import {
  TEST_SECRET_ENV,
  committedCheckpoints,
  exactlyOnceReport,
  publishedVersions,
  readRawDocuments,
  testAccount,
} from './test-support';

const MINUTE = 60_000;
const DAY = 86_400_000;
const REPO = resolve(__dirname, '../../..');
const MAIN = join(REPO, 'services/source-wangdiantong/src/main.ts');
const STREAMS = ['sales_outstock', 'transfer'] as const;
const ACCOUNTS = ['acme', 'beta'] as const;
const EDITION = { acme: 'qyb', beta: 'qjb' } as const;

describe('WDT source killed with SIGKILL mid-sync', () => {
  let emulator: WdtEmulator;
  let kafka: KafkaClient;
  let child: ChildProcess | undefined;

  afterEach(async () => {
    child?.kill('SIGKILL');
    await emulator?.close();
    await kafka?.disconnect();
  });

  it('restarts from the last committed checkpoints with nothing lost and nothing repeated, in both editions', async () => {
    const prefix = uniqueTopicPrefix('wdtkill');
    process.env.YECAI_TOPIC_PREFIX = prefix;
    kafka = testKafka();
    const now = Date.now();
    emulator = await startWangdiantongEmulator({
      seed: 11,
      rateLimits: { perMinute: 1_000_000, concurrent: 50 },
      documents: {
        perType: { sales_out: 6_000, transfer: 3_000 },
        fromMs: now - 5 * DAY,
        toMs: now - 2 * MINUTE,
        sameSecondRatio: 0.4,
      },
      // Slows a full sync (≥ 120 旗舰版 one-hour windows alone) so that the kills land while it is still running.
      faults: { latencyMs: 50 },
    });
    const opsPort = await getFreePort();
    const dir = mkdtempSync(join(tmpdir(), 'wdt-kill-'));
    const configPath = join(dir, 'config.json');
    const startAt = formatBeijingTime(now - 6 * DAY);
    writeFileSync(
      configPath,
      JSON.stringify({
        opsPort,
        pollIntervalSeconds: 1,
        windowMinutes: 240, // 旗舰版 sales out-stock stays at its 60-minute limit
        retry: { initialDelayMs: 20, maxDelayMs: 200 },
        accounts: [
          testAccount(emulator, { name: 'acme', edition: 'qyb', startAt, streams: [...STREAMS] }),
          testAccount(emulator, { name: 'beta', edition: 'qjb', startAt, streams: [...STREAMS] }),
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
    const readAll = async () =>
      Object.fromEntries(
        await Promise.all(
          STREAMS.map(async (stream) => [stream, await readRawDocuments(kafka, schemaRegistryUrl, stream)] as const),
        ),
      );

    /**
     * Starts the service and waits until its lanes are open (readyz): from then on it is syncing. A start that
     * fails on a transient broker error (seen under load: "This server does not host this topic-partition" while
     * another test creates topics) exits the process; like Kubernetes, start it again.
     */
    let restartsAfterFailedStart = 0;
    const startReady = async (): Promise<ChildProcess> => {
      for (;;) {
        const started = startSource();
        let ready = false;
        await waitFor(
          async () => {
            if (started.exitCode !== null || started.signalCode !== null) return true;
            ready = (await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined))?.status === 200;
            return ready;
          },
          'the source to be ready (or to exit)',
          90_000,
        );
        if (ready) return started;
        expect(++restartsAfterFailedStart).toBeLessThan(5);
      }
    };
    const cursorsAtKill: string[] = [];
    for (let kill = 0; kill < 5; kill++) {
      child = await startReady();
      await sleep(300 + Math.floor(Math.random() * 3000));
      child.kill('SIGKILL');
      await exited(child);
      const checkpoints = await committedCheckpoints(kafka);
      cursorsAtKill.push(
        ACCOUNTS.flatMap((account) => STREAMS.map((s) => checkpoints.get(`${account}/${s}`)?.cursor ?? '-')).join('/'),
      );
      // The checkpoint never runs ahead: every version at or before a committed cursor is already committed.
      const raw = await readAll();
      for (const account of ACCOUNTS) {
        for (const stream of STREAMS) {
          const cursor = Number(checkpoints.get(`${account}/${stream}`)?.cursor ?? 0);
          const covered = publishedVersions(emulator, stream, EDITION[account]).filter((v) => v.modifiedMs <= cursor);
          expect({ account, stream, ...exactlyOnceReport(covered, raw[stream]!, account) }).toEqual({
            account,
            stream,
            duplicates: [],
            missing: [],
          });
        }
      }
    }
    child = await startReady();
    const target = Date.now() - MINUTE - 2000;
    await waitFor(
      async () => {
        const checkpoints = await committedCheckpoints(kafka);
        return ACCOUNTS.every((account) =>
          STREAMS.every((stream) => Number(checkpoints.get(`${account}/${stream}`)?.cursor ?? 0) >= target),
        );
      },
      'every live cursor to reach now − lag',
      150_000,
    );
    // The live service answers its operations endpoints.
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toMatch(/yecai_source_cursor_lag_seconds\{[^}]*account="beta"[^}]*stream="transfer"/);
    expect(metrics).not.toMatch(/wdt_secret|wdt_qjb_secret|wdt_salt/);
    child.kill('SIGTERM');
    await exited(child);

    // Most kills landed mid-sync: the sync had committed something, and some cursor was still behind.
    const midSync = cursorsAtKill.filter((cursors) => {
      const values = cursors.split('/');
      return values.some((c) => c !== '-') && values.some((c) => c === '-' || Number(c) < target - MINUTE);
    });
    expect(midSync.length).toBeGreaterThanOrEqual(3);
    const raw = await readAll();
    for (const account of ACCOUNTS) {
      for (const stream of STREAMS) {
        const versions = publishedVersions(emulator, stream, EDITION[account]);
        expect({ account, stream, ...exactlyOnceReport(versions, raw[stream]!, account) }).toEqual({
          account,
          stream,
          duplicates: [],
          missing: [],
        });
      }
    }
    const expected = ACCOUNTS.flatMap((account) =>
      STREAMS.flatMap((s) => publishedVersions(emulator, s, EDITION[account])),
    );
    expect(raw.sales_outstock!.length + raw.transfer!.length).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(16_000); // 9,000 per account, 旗舰版 sales only 已完成
    process.stdout.write(
      `WDT kill -9 proof: cursors at kills ${cursorsAtKill.join(', ')}; restarts after a failed start: ${restartsAfterFailedStart}; logs in ${dir}\n`,
    );
  }, 420_000);
});
