/**
 * The posting kit's shared exactly-once suite: every target adapter runs it by describing itself (how to build an
 * event, start its service, count what the target holds, inject its faults). Real Kafka, schema registry and
 * MongoDB-wire server from the test harness; the assertions are the same for every target: each source document is
 * one document on the target, whatever Kafka redelivers, whatever answers are lost, across outages and restarts.
 * Used by libs/sink-kit (the in-memory target) and services/sink-kingdee (the Kingdee emulator).
 */
import { createMetricsRegistry } from '@yecai/common';
import { AvroSerde, type KafkaClient } from '@yecai/kafka';
import { canonicalProducer, testEndpoints, testKafka, testMongo, uniqueName, uniqueTopicPrefix, waitFor, type CanonicalProducer } from '@yecai/test-harness';
import type { Db } from 'mongodb';
import type { Registry } from 'prom-client';
import type { CanonicalJson } from '../canonical';
import type { LedgerEntry, LedgerState } from '../ledger/model';
import type { PostingService } from '../service';

export interface SubjectServiceDeps {
  kafka: KafkaClient;
  serde: AvroSerde;
  db: Db;
  metricsRegistry: Registry;
  /** Consumer group: a new group reads the topic from the beginning (a replay). */
  groupId: string;
}

/** A target as the suite sees it. */
export interface ExactlyOnceSubject {
  /** The flow (canonical document type) the suite posts. */
  documentType: string;
  /** A canonical event whose target key is `key`; a higher `version` is a later change of the same document. */
  event(key: string, version?: number): CanonicalJson;
  /** An event the target refuses as bad data (level 1), naming the field. */
  badEvent(key: string): CanonicalJson;
  /** A posting service of this target, not yet started (the suite starts and stops it). */
  service(deps: SubjectServiceDeps): PostingService;
  /** How many documents the target holds per key starting with `prefix` (exactly once = 1 each). */
  written(prefix: string): Promise<Map<string, number>>;
  /** The next `count` writes land and their answers are lost. */
  loseAnswers(count: number): void;
  /** The target is down (every call fails) while true. */
  setDown(down: boolean): void;
  /**
   * The target cannot change a written document (an OMS stock-in): a newer version is parked at level 2
   * (MODIFIED_AFTER_AUDIT, a person adjusts it on the target) instead of updating, and the document stays the one
   * written. Default false.
   */
  immutable?: boolean;
  close(): Promise<void>;
}

const keys = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(3, '0')}`);

export function describeExactlyOnceSuite(name: string, createSubject: () => Promise<ExactlyOnceSubject>): void {
  describe(`posting kit exactly-once suite: ${name} (real Kafka + MongoDB-wire + schema registry)`, () => {
    let subject: ExactlyOnceSubject;
    let kafka: KafkaClient;
    let serde: AvroSerde;
    let mongo: Awaited<ReturnType<typeof testMongo>>;
    let produce: CanonicalProducer;
    const running: PostingService[] = [];

    beforeEach(async () => {
      process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('eos');
      subject = await createSubject();
      kafka = testKafka();
      serde = new AvroSerde(testEndpoints().schemaRegistryUrl);
      mongo = await testMongo('eos');
      produce = canonicalProducer(kafka, serde);
    });
    afterEach(async () => {
      for (const service of running.splice(0)) await service.stop();
      await kafka.disconnect();
      await mongo.close();
      await subject.close();
    });

    async function start(groupId = uniqueName('eos-group')): Promise<PostingService> {
      const service = subject.service({ kafka, serde, db: mongo.db, metricsRegistry: createMetricsRegistry(`eos-${running.length}`), groupId });
      running.push(service);
      await service.start();
      return service;
    }

    async function waitForStates(service: PostingService, expected: Partial<Record<LedgerState, number>>, what: string): Promise<LedgerEntry[]> {
      let entries: LedgerEntry[] = [];
      await waitFor(async () => {
        entries = await service.ledger.current();
        return Object.entries(expected).every(([state, count]) => entries.filter((entry) => entry.state === state).length === count);
      }, what, 90_000).catch((error: Error) => {
        throw new Error(`${error.message}\nledger now:\n${entries.map((entry) => `${entry.billNo}:${entry.state}:${entry.problem?.message ?? ''}`).join('\n')}`);
      });
      return entries;
    }

    async function expectExactlyOnce(prefix: string, count: number): Promise<void> {
      const written = await subject.written(prefix);
      expect([...written.keys()].sort()).toEqual(keys(prefix, count));
      expect([...written.values()].every((documents) => documents === 1)).toBe(true);
    }

    it('each source document is one target document, though Kafka delivers every event twice', async () => {
      const service = await start();
      const events = keys('TW-', 12).map((key) => subject.event(key));
      await produce(subject.documentType, events);
      await produce(subject.documentType, events);
      const entries = await waitForStates(service, { POSTED: 12 }, '12 documents POSTED');
      await expectExactlyOnce('TW-', 12);
      expect(new Set(entries.map((entry) => String(entry.fid))).size).toBe(12);
    });

    it('answers lost after the write landed: resolved by looking the key up, never written twice', async () => {
      const service = await start();
      subject.loseAnswers(2);
      await produce(subject.documentType, keys('LA-', 12).map((key) => subject.event(key)));
      const entries = await waitForStates(service, { POSTED: 12 }, '12 documents POSTED after lost answers');
      await expectExactlyOnce('LA-', 12);
      const events = (await Promise.all(entries.map((entry) => service.ledger.history(entry._id)))).flat().map((step) => step.event);
      expect(events).toContain('write_in_doubt');
    });

    it('an outage pauses posting (level 3), loses nothing and resumes by itself', async () => {
      const service = await start();
      subject.setDown(true);
      await produce(subject.documentType, keys('OU-', 8).map((key) => subject.event(key)));
      await waitFor(() => !service.isReady, 'the sink pauses while the target is down', 60_000);
      expect(service.lastOutage).not.toBeNull();
      subject.setDown(false);
      await waitForStates(service, { POSTED: 8 }, '8 documents POSTED after the outage');
      await waitFor(() => service.isReady, 'the sink resumes by itself', 30_000);
      await expectExactlyOnce('OU-', 8);
    });

    it('a restart and a replay of the topic from the beginning write nothing twice; a newer version updates the same document', async () => {
      const first = await start();
      await produce(subject.documentType, keys('RP-', 6).map((key) => subject.event(key)));
      await waitForStates(first, { POSTED: 6 }, '6 documents POSTED');
      await first.stop();
      running.splice(running.indexOf(first), 1);
      // A new consumer group reads the topic from its first offset: the ledger knows every document.
      const replay = await start(uniqueName('eos-replay'));
      await produce(subject.documentType, [subject.event('RP-000', 2)]);
      if (subject.immutable) {
        const entries = await waitForStates(replay, { POSTED: 5, PARKED: 1 }, 'the newer version of RP-000 parked, the others still POSTED');
        const parked = entries.find((entry) => entry.state === 'PARKED')!;
        expect({ billNo: parked.billNo, level: parked.problem?.level, code: parked.problem?.code }).toEqual({ billNo: 'RP-000', level: 2, code: 'MODIFIED_AFTER_AUDIT' });
        await expectExactlyOnce('RP-', 6);
        const events = (await Promise.all(entries.map((entry) => replay.ledger.history(entry._id)))).flat().map((step) => step.event);
        expect(events.filter((event) => event === 'saved')).toHaveLength(6);
        return;
      }
      await waitFor(async () => {
        const entry = (await replay.ledger.current()).find((one) => one.billNo === 'RP-000');
        return entry?.state === 'POSTED' && entry.postedVersion === entry.version && entry.revision > 2;
      }, 'the newer version of RP-000 posted onto the same document', 60_000);
      const entries = await waitForStates(replay, { POSTED: 6 }, 'still 6 documents POSTED after the replay');
      await expectExactlyOnce('RP-', 6);
      const events = (await Promise.all(entries.map((entry) => replay.ledger.history(entry._id)))).flat().map((step) => step.event);
      expect(events.filter((event) => event === 'saved')).toHaveLength(6);
    });

    it('bad data is parked at level 1 naming the field; the corrected version is posted once', async () => {
      const service = await start();
      await produce(subject.documentType, [subject.badEvent('BD-000'), subject.event('BD-001')]);
      const entries = await waitForStates(service, { PARKED: 1, POSTED: 1 }, 'one document PARKED, one POSTED');
      const parked = entries.find((entry) => entry.state === 'PARKED')!;
      expect(parked.billNo).toBe('BD-000');
      expect(parked.problem?.level).toBe(1);
      expect(parked.problem?.field).toBeTruthy();
      await produce(subject.documentType, [subject.event('BD-000', 2)]);
      await waitForStates(service, { POSTED: 2 }, 'the corrected version POSTED');
      await expectExactlyOnce('BD-', 2);
    });
  });
}
