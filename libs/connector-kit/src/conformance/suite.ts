/**
 * The conformance and crash suite every source runs by declaring itself (an integration test file calls
 * `describeSourceConformance(spec)`): real Kafka and schema registry from the harness, the source's emulator, the
 * source's real wiring (`defineSource`) and its real `main.ts` for kill -9. It asserts the raw topics' contents
 * (every (id, modified) exactly once) and the checkpoints (never ahead of what was published, only the re-read
 * zone in `seen`) through:
 *   live sync, overlap re-read, late update, same-second ties across pages ·
 *   a commit whose answer is lost · throttling storms, 5xx, timeouts, token expiry · backfill beside live ·
 *   bad answers (no id, unparseable modified time) stop the stream with the field named, nothing skipped ·
 *   kill -9 at random instants of a sync, restart.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBeijingTime, getFreePort, sleep, YecaiError } from '@yecai/common';
import { TransactionalProducer, type KafkaClient } from '@yecai/kafka';
import { ServiceProcess, testEndpoints, testKafka, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import type { DefinedSource, SourceAccountBase, SourceConfig } from '../define-source';
import type { SourceTransport } from '../transport';
import { committedCheckpoints, exactlyOnceReport, readRawDocuments, type VersionRef } from './raw';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface ConformanceEmulatorOptions {
  seed: number;
  /** Documents per stream (by our stream name), modified between fromMs and toMs. */
  documents: Record<string, number>;
  fromMs: number;
  toMs: number;
  /** Share of documents that share their modified second with others. */
  sameSecondRatio?: number;
  /** Delay of every answer (a kill -9 then lands while the sync runs). */
  latencyMs?: number;
  /** Throttle bursts, 5xx bursts and rate, timeouts and token expiry — every fault the system has. */
  storm?: boolean;
}

/** The source's emulator as the suite sees it; a small adapter over the emulator's own API. */
export interface ConformanceEmulator {
  url: string;
  /**
   * Ground truth: the current version of every document the stream must publish for an account of this variant
   * (API-side filters applied). A late update's earlier version is not listed (the suite counts it itself).
   */
  versions(stream: string, variant: string): VersionRef[];
  /** `count` new documents of a stream, all modified in the same second `atMs`. */
  addSameSecond(stream: string, count: number, atMs: number): void;
  /** A late update: an existing document gets a new modified time `atMs` and changed content. Returns its id. */
  modifyLate(stream: string, atMs: number): string;
  /** Counters that a storm must have moved (the emulator's own evidence: throttled answers, expired tokens…). */
  stormEvidence(): Record<string, number>;
  close(): Promise<void>;
}

export interface SourceConformanceSpec<Account extends SourceAccountBase> {
  source: DefinedSource<Account, SourceTransport>;
  startEmulator(options: ConformanceEmulatorOptions): Promise<ConformanceEmulator>;
  /** Raw config of one account against the emulator (secrets as env: references, generous rate limits). */
  account(
    emulator: ConformanceEmulator,
    account: { name: string; variant: string; startAt: string; streams: string[] },
  ): Record<string, unknown>;
  /** Account variants (旺店通: 'qyb', 'qjb' editions); the live and crash cases run every one. Default ['default']. */
  variants?: string[];
  /** Two document streams; the same-second burst goes to the first, the late update to the second. */
  streams: [string, string];
  /** Streams of the storm case, when others show the system's faults better (default `streams`). */
  stormStreams?: [string, string];
  /** Environment the secret references need (set here and given to the spawned service). */
  secretEnv: Record<string, string>;
  /** Strings that must never appear in metrics (the secrets' values). */
  secrets: string[];
  /** Codes a storm must show: `yecai_source_throttled_total{code}` and `yecai_source_api_calls_total{outcome}`. */
  stormCodes: { throttled: string[]; outcomes: string[] };
  /** The service's entry point, spawned for kill -9. */
  main: string;
  /** kill -9 volume: documents per stream and answer latency; the kills must land mid-sync. */
  crash: { documents: Record<string, number>; latencyMs: number; kills?: number; windowMinutes?: number };
  /** Documents per stream of the live case (default 1500 / 500) plus a 437-document same-second burst. */
  liveDocuments?: [number, number];
}

export function describeSourceConformance<Account extends SourceAccountBase>(
  spec: SourceConformanceSpec<Account>,
): void {
  const { source } = spec;
  const system = source.declaration.system;
  const variants = spec.variants ?? ['default'];
  const [first, second] = spec.streams;
  const variantOf = (index: number) => variants[index % variants.length]!;

  const config = (
    emulator: ConformanceEmulator,
    accounts: Record<string, unknown>[],
    overrides: Record<string, unknown> = {},
  ) => {
    Object.assign(process.env, spec.secretEnv);
    return source.validateConfig(
      {
        opsPort: 0,
        pollIntervalSeconds: 1,
        retry: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 },
        accounts,
        ...overrides,
      },
      'conformance config',
    ) as SourceConfig<Account>;
  };
  const registry = () => testEndpoints().schemaRegistryUrl;
  const raw = (kafka: KafkaClient, stream: string) => {
    const definition = source.allStreams.find((s) => s.name === stream);
    if (!definition) throw new Error(`${system}: no stream "${stream}"`);
    return readRawDocuments(kafka, registry(), system, definition.documentType);
  };
  const clean = { duplicates: [], missing: [] };

  describe(`${system} source conformance`, () => {
    let emulator: ConformanceEmulator | undefined;
    let kafka: KafkaClient;

    beforeEach(() => {
      process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix(system.slice(0, 8));
      kafka = testKafka();
    });
    afterEach(async () => {
      await emulator?.close();
      emulator = undefined;
      await kafka.disconnect();
    });

    it.each(variants)(
      'live (%s): publishes each version once with its checkpoint, re-reads the overlap without duplicates, picks up a late update and a same-second burst across pages',
      async (variant) => {
        const now = Date.now();
        const [firstCount, secondCount] = spec.liveDocuments ?? [1500, 500];
        emulator = await spec.startEmulator({
          seed: 3,
          documents: { [first]: firstCount, [second]: secondCount },
          fromMs: now - 2 * DAY,
          toMs: now - 2 * MINUTE,
        });
        // 437 documents in one second: several pages of the same modified time.
        emulator.addSameSecond(first, 437, now - DAY);
        const name = `live-${variant}`.toLowerCase();
        const service = source.createService(
          config(emulator, [
            spec.account(emulator, {
              name,
              variant,
              startAt: formatBeijingTime(now - 3 * DAY),
              streams: [first, second],
            }),
          ]),
        );
        let lateId: string;
        let lastCycleAt: number;
        try {
          await service.runtime.runOnce();
          await service.runtime.runOnce(); // overlap re-read: must publish nothing
          lateId = emulator.modifyLate(second, Date.now() - 90_000);
          lastCycleAt = Date.now();
          await service.runtime.runOnce();
          const metrics = await service.metrics.metrics();
          const lag = new RegExp(`yecai_source_cursor_lag_seconds\\{[^}]*stream="${first}"[^}]*\\} ([\\d.]+)`).exec(
            metrics,
          );
          expect(Number(lag?.[1])).toBeGreaterThanOrEqual(60); // the settle lag
          // …and no more than the settle lag plus however long the last cycle took on this machine.
          expect(Number(lag?.[1])).toBeLessThanOrEqual((Date.now() - lastCycleAt) / 1000 + 61);
          const expectedFirst = emulator.versions(first, variant).length;
          expect(metrics).toMatch(
            new RegExp(
              `yecai_source_documents_total\\{[^}]*stream="${first}",origin="LIVE"[^}]*\\} ${expectedFirst}\n`,
            ),
          );
          for (const secret of spec.secrets) expect(metrics).not.toContain(secret);
        } finally {
          await service.close();
        }
        const firstDocs = await raw(kafka, first);
        const expectedFirst = emulator.versions(first, variant);
        expect(exactlyOnceReport(expectedFirst, firstDocs)).toEqual(clean);
        expect(firstDocs).toHaveLength(expectedFirst.length);
        expect(firstDocs.every((d) => d.origin === 'LIVE' && d.account === name && d.sourceSystem === system)).toBe(
          true,
        );
        const secondDocs = await raw(kafka, second);
        const expectedSecond = emulator.versions(second, variant);
        expect(exactlyOnceReport(expectedSecond, secondDocs)).toEqual(clean);
        expect(secondDocs).toHaveLength(expectedSecond.length + 1); // + the late update's earlier version
        // The late update is one new version beside the first.
        expect(secondDocs.filter((d) => d.sourceId === lateId)).toHaveLength(2);

        const checkpoints = await committedCheckpoints(kafka, source.serviceName);
        // The last cycle read up to its start − settle lag (second resolution), and no further.
        const live = checkpoints.get(`${name}/${first}`)!;
        expect(Number(live.cursor)).toBeGreaterThanOrEqual(Math.floor((lastCycleAt - MINUTE) / 1000) * 1000);
        expect(Number(live.cursor)).toBeLessThanOrEqual(Date.now() - MINUTE);
        // The dedup set holds only the re-read zone (cursor − overlap onwards), not the history.
        expect(Object.keys(live.seen).length).toBeLessThan(50);
      },
      180_000,
    );

    it('a commit whose answer is lost (it did commit) is not published again: the lane is reopened from Kafka', async () => {
      const now = Date.now();
      const variant = variantOf(0);
      emulator = await spec.startEmulator({
        seed: 5,
        documents: { [second]: 300 },
        fromMs: now - 2 * DAY,
        toMs: now - 2 * MINUTE,
      });
      const service = source.createService(
        config(emulator, [
          spec.account(emulator, {
            name: 'lost',
            variant,
            startAt: formatBeijingTime(now - 3 * DAY),
            streams: [second],
          }),
        ]),
      );
      // The broker applies the third transaction, then the answer is lost (as when it restarts mid-commit).
      const original = TransactionalProducer.prototype.inTransaction;
      let transactions = 0;
      const spy = jest.spyOn(TransactionalProducer.prototype, 'inTransaction').mockImplementation(async function (
        this: TransactionalProducer,
        work,
      ) {
        const result = await original.call(this, work);
        if (++transactions === 3) throw new Error('answer lost after commit (test fault)');
        return result;
      });
      // Done when, after the fault, a cycle has committed a cursor past the last document (2 minutes ago).
      let caughtUpAfterFault = false;
      service.runtime.events.on((event) => {
        if (event.type === 'committed' && transactions > 3 && (event.cursorMs ?? 0) >= now - MINUTE)
          caughtUpAfterFault = true;
      });
      try {
        await service.runtime.start();
        await waitFor(() => caughtUpAfterFault, 'a cycle after the lost answer to catch up', 60_000).catch(
          () => undefined,
        );
      } finally {
        spy.mockRestore();
        await service.close();
      }
      expect(caughtUpAfterFault).toBe(true);
      expect(exactlyOnceReport(emulator.versions(second, variant), await raw(kafka, second))).toEqual(clean);
    }, 120_000);

    it('rides out throttling storms, 5xx bursts, timeouts and token expiry with nothing lost or repeated', async () => {
      const now = Date.now();
      const variant = variantOf(1);
      const [a, b] = spec.stormStreams ?? spec.streams;
      emulator = await spec.startEmulator({
        seed: 5,
        documents: { [a]: 1200, [b]: 400 },
        fromMs: now - DAY,
        toMs: now - 2 * MINUTE,
        storm: true,
      });
      const service = source.createService(
        config(emulator, [
          spec.account(emulator, {
            name: 'storm',
            variant,
            startAt: formatBeijingTime(now - 2 * DAY),
            streams: [a, b],
          }),
        ]),
      );
      try {
        await service.runtime.runOnce();
        const metrics = await service.metrics.metrics();
        for (const code of spec.stormCodes.throttled)
          expect(metrics).toMatch(new RegExp(`yecai_source_throttled_total\\{[^}]*code="${code}"[^}]*\\} \\d+`));
        for (const outcome of spec.stormCodes.outcomes)
          expect(metrics).toMatch(new RegExp(`yecai_source_api_calls_total\\{[^}]*outcome="${outcome}"[^}]*\\} \\d+`));
        for (const secret of spec.secrets) expect(metrics).not.toContain(secret);
      } finally {
        await service.close();
      }
      for (const stream of [a, b]) {
        const documents = await raw(kafka, stream);
        const expected = emulator.versions(stream, variant);
        expect({ stream, ...exactlyOnceReport(expected, documents) }).toEqual({ stream, ...clean });
        expect(documents).toHaveLength(expected.length);
      }
      for (const [what, count] of Object.entries(emulator.stormEvidence()))
        expect({ what, moved: count > 0 }).toEqual({ what, moved: true });
    }, 180_000);

    it('backfills an old range as BACKFILL under its own checkpoint while the live stream runs, without moving the live cursor', async () => {
      const now = Date.now();
      const variant = variantOf(0);
      emulator = await spec.startEmulator({
        seed: 9,
        documents: { [first]: 2000 },
        fromMs: now - 10 * DAY,
        toMs: now - 2 * MINUTE,
      });
      const settings = config(emulator, [
        spec.account(emulator, {
          name: 'history',
          variant,
          startAt: formatBeijingTime(now - 2 * DAY),
          streams: [first],
        }),
      ]);
      const live = source.createService(settings);
      const backfill = source.createService(settings);
      const range = {
        fromMs: Math.floor((now - 9 * DAY) / 1000) * 1000,
        toMs: Math.floor((now - 6 * DAY) / 1000) * 1000,
      };
      try {
        await live.runtime.start();
        const result = await backfill.runtime.backfill({ ...range, streams: [first] });
        expect(result.get(`history/${first}`)!.published).toBeGreaterThan(0);
        // The same backfill again is already complete: nothing is re-pulled.
        expect((await backfill.runtime.backfill({ ...range, streams: [first] })).size).toBe(0);
      } finally {
        await backfill.close();
        await live.close();
      }
      const all = await raw(kafka, first);
      const versions = emulator.versions(first, variant);
      const backfilled = all.filter((d) => d.origin === 'BACKFILL');
      const inRange = versions.filter((v) => v.modifiedMs >= range.fromMs && v.modifiedMs <= range.toMs);
      expect(exactlyOnceReport(inRange, backfilled)).toEqual(clean);
      expect(backfilled).toHaveLength(inRange.length);
      const liveExpected = versions.filter(
        (v) => v.modifiedMs >= Math.floor((now - 2 * DAY) / 1000) * 1000 - 5 * MINUTE,
      );
      expect(
        exactlyOnceReport(
          liveExpected,
          all.filter((d) => d.origin === 'LIVE'),
        ),
      ).toEqual(clean);
      const checkpoints = await committedCheckpoints(kafka, source.serviceName);
      expect(checkpoints.get(`history/${first}/backfill`)).toMatchObject({
        mode: 'backfill',
        completed: true,
        cursor: String(range.toMs),
      });
      expect(Number(checkpoints.get(`history/${first}`)!.cursor)).toBeGreaterThan(now - 2 * MINUTE);
    }, 180_000);

    it('a bad answer (record without its id, unparseable modified time) stops the stream with a level-1 error naming the field; nothing after it is skipped', async () => {
      const now = Date.now();
      const variant = variantOf(0);
      const definition = source.allStreams.find((s) => s.name === first)!;
      emulator = await spec.startEmulator({
        seed: 13,
        documents: { [first]: 600 },
        fromMs: now - DAY,
        toMs: now - 2 * MINUTE,
      });
      let corrupt: 'id' | 'modified' | undefined;
      const broken: string[] = [];
      const service = source.createService(
        config(emulator, [
          spec.account(emulator, { name: 'bad', variant, startAt: formatBeijingTime(now - 2 * DAY), streams: [first] }),
        ]),
        undefined,
        {
          // Between the API and the kit: the third page of the stream comes back with one broken record.
          wrapTransport: (transport) => {
            let pages = 0;
            return {
              system: transport.system,
              check: () => transport.check(),
              fetchPage: async (stream, request) => {
                const page = await transport.fetchPage(stream, request);
                const record = page.records[0];
                if (corrupt && stream.name === first && ++pages >= 3 && record) {
                  broken.push(`${String(record[definition.idField])}`);
                  const copy = { ...record };
                  if (corrupt === 'id') delete copy[definition.idField];
                  else copy[definition.modifiedField] = 'not a time';
                  return { ...page, records: [copy, ...page.records.slice(1)] };
                }
                return page;
              },
            };
          },
        },
      );
      try {
        for (const [kind, field] of [
          ['id', definition.idField],
          ['modified', `${first}.${definition.modifiedField}`],
        ] as const) {
          corrupt = kind;
          const failure = await service.runtime.runOnce().then(
            () => undefined,
            (error: unknown) => error,
          );
          expect(failure).toBeInstanceOf(YecaiError);
          expect({
            level: (failure as YecaiError).level,
            field: (failure as YecaiError).field,
            retriable: (failure as YecaiError).retriable,
          }).toEqual({
            level: 1,
            field,
            retriable: false,
          });
          expect((failure as Error).message).toContain(definition.idField === field ? field : definition.modifiedField);
          // The cursor stays before the broken record: it is not skipped.
          const brokenId = broken.at(-1)!;
          const brokenVersion = emulator.versions(first, variant).find((v) => String(v.id) === brokenId)!;
          const cursor = Number(
            (await committedCheckpoints(kafka, source.serviceName)).get(`bad/${first}`)?.cursor ?? 0,
          );
          expect(cursor).toBeLessThanOrEqual(brokenVersion.modifiedMs);
          expect(
            (await raw(kafka, first)).some(
              (d) => d.sourceId === brokenId && Number(d.sourceModifiedAt) === brokenVersion.modifiedMs,
            ),
          ).toBe(false);
        }
        // The source's data fixed: the next cycle publishes everything, once.
        corrupt = undefined;
        await service.runtime.runOnce();
      } finally {
        await service.close();
      }
      const documents = await raw(kafka, first);
      expect(exactlyOnceReport(emulator.versions(first, variant), documents)).toEqual(clean);
    }, 180_000);

    it('killed with SIGKILL at random instants of a sync: restarts from the last committed checkpoints with nothing lost and nothing repeated', async () => {
      const prefix = process.env.YECAI_TOPIC_PREFIX!;
      const now = Date.now();
      emulator = await spec.startEmulator({
        seed: 11,
        documents: spec.crash.documents,
        fromMs: now - 5 * DAY,
        toMs: now - 2 * MINUTE,
        sameSecondRatio: 0.4,
        latencyMs: spec.crash.latencyMs,
      });
      const streams = Object.keys(spec.crash.documents);
      const accounts = variants.map((variant, index) => ({ name: `kill${index}`, variant }));
      const opsPort = await getFreePort();
      const dir = mkdtempSync(join(tmpdir(), `${system}-kill-`));
      const configPath = join(dir, 'config.json');
      const startAt = formatBeijingTime(now - 6 * DAY);
      writeFileSync(
        configPath,
        JSON.stringify({
          opsPort,
          pollIntervalSeconds: 1,
          windowMinutes: spec.crash.windowMinutes ?? 240,
          retry: { initialDelayMs: 20, maxDelayMs: 200 },
          accounts: accounts.map(({ name, variant }) => spec.account(emulator!, { name, variant, startAt, streams })),
        }),
      );
      const { kafkaBrokers, schemaRegistryUrl } = testEndpoints();
      const service = new ServiceProcess({
        name: source.deploymentName,
        main: spec.main,
        args: ['--config', configPath],
        env: {
          ...spec.secretEnv,
          KAFKA_BROKERS: kafkaBrokers,
          SCHEMA_REGISTRY_URL: schemaRegistryUrl,
          YECAI_TOPIC_PREFIX: prefix,
          LOG_LEVEL: 'warn',
          JEST_WORKER_ID: '',
        },
        logFile: join(dir, 'source.log'),
        opsPort,
      });
      const expectedOf = (stream: string, variant: string) => emulator!.versions(stream, variant);
      const readAll = async () =>
        Object.fromEntries(
          await Promise.all(streams.map(async (stream) => [stream, await raw(kafka, stream)] as const)),
        );
      /**
       * Starts the service and waits until its lanes are open (readyz): from then on it is syncing. A start that
       * fails on a transient broker error (seen under load while another test creates topics) exits the process;
       * like Kubernetes, start it again.
       */
      let restartsAfterFailedStart = 0;
      const startReady = async () => {
        for (;;) {
          service.start();
          try {
            await service.waitReady(90_000);
            return;
          } catch (error) {
            if (service.running) throw error;
            expect(++restartsAfterFailedStart).toBeLessThan(5);
          }
        }
      };
      const cursorsAtKill: string[] = [];
      try {
        for (let kill = 0; kill < (spec.crash.kills ?? 5); kill++) {
          await startReady();
          await sleep(300 + Math.floor(Math.random() * 3000));
          await service.kill();
          const checkpoints = await committedCheckpoints(kafka, source.serviceName);
          cursorsAtKill.push(
            accounts
              .flatMap(({ name }) => streams.map((s) => checkpoints.get(`${name}/${s}`)?.cursor ?? '-'))
              .join('/'),
          );
          // The checkpoint never runs ahead: every version at or before a committed cursor is already committed.
          const published = await readAll();
          for (const { name, variant } of accounts) {
            for (const stream of streams) {
              const cursor = Number(checkpoints.get(`${name}/${stream}`)?.cursor ?? 0);
              const covered = expectedOf(stream, variant).filter((v) => v.modifiedMs <= cursor);
              expect({ name, stream, ...exactlyOnceReport(covered, published[stream]!, name) }).toEqual({
                name,
                stream,
                ...clean,
              });
            }
          }
        }
        await startReady();
        const target = Date.now() - MINUTE - 2000;
        await waitFor(
          async () => {
            const checkpoints = await committedCheckpoints(kafka, source.serviceName);
            return accounts.every(({ name }) =>
              streams.every((stream) => Number(checkpoints.get(`${name}/${stream}`)?.cursor ?? 0) >= target),
            );
          },
          'every live cursor to reach now − lag',
          // Generous: on a loaded shared 2-core machine (load average 14 seen) the catch-up alone took over 150 s.
          300_000,
        );
        // The live service answers its operations endpoints.
        expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
        const metrics = await service.metrics();
        expect(metrics).toMatch(
          new RegExp(
            `yecai_source_cursor_lag_seconds\\{[^}]*account="${accounts.at(-1)!.name}"[^}]*stream="${streams.at(-1)}"`,
          ),
        );
        for (const secret of spec.secrets) expect(metrics).not.toContain(secret);
        await service.stop('SIGTERM');

        // Most kills landed mid-sync: the sync had committed something, and some cursor was still behind.
        const midSync = cursorsAtKill.filter((cursors) => {
          const values = cursors.split('/');
          return values.some((c) => c !== '-') && values.some((c) => c === '-' || Number(c) < target - MINUTE);
        });
        expect(midSync.length).toBeGreaterThanOrEqual(3);
        const published = await readAll();
        let expectedTotal = 0;
        for (const { name, variant } of accounts) {
          for (const stream of streams) {
            const expected = expectedOf(stream, variant);
            expectedTotal += expected.length;
            expect({ name, stream, ...exactlyOnceReport(expected, published[stream]!, name) }).toEqual({
              name,
              stream,
              ...clean,
            });
          }
        }
        expect(Object.values(published).reduce((sum, documents) => sum + documents.length, 0)).toBe(expectedTotal);
        process.stdout.write(
          `${system} kill -9 proof: ${expectedTotal} versions; cursors at kills ${cursorsAtKill.join(', ')}; restarts after a failed start: ${restartsAfterFailedStart}; logs in ${dir}\n`,
        );
      } finally {
        await service.dispose();
      }
    }, 600_000);
  });
}
