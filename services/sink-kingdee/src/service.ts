/**
 * The Kingdee sink service: consumes canonical topics (read_committed), posts through the Poster, commits a
 * partition's offset only after the ledger holds the outcome, pauses partitions while Kingdee is unavailable
 * and resumes them from the break point when a probe succeeds. A scheduler runs level-2 retries.
 */
import { createLogger, errorMessage, withRetry, type Logger } from '@yecai/common';
import { insertOnce } from '@yecai/store';
import { KingdeeClient } from '@yecai/kingdee';
import { topics, type AvroSerde, type Consumer, type EachBatchPayload, type KafkaClient } from '@yecai/kafka';
import type { Collection, Db } from 'mongodb';
import type { Registry } from 'prom-client';
import type { FlowConfig, SinkConfig } from './config';
import { Aggregator } from './aggregation/aggregator';
import { sourceIdentity, type CanonicalJson } from './convert';
import { formsOf, type SinkDocumentType } from './master-data';
import { Ledger, type LedgerEntry } from './ledger';
import { SinkMetrics } from './metrics';
import { Poster, SinkPausedError, type PostRequest } from './poster';

export interface SinkServiceDeps {
  config: SinkConfig;
  kafka: KafkaClient;
  serde: AvroSerde;
  db: Db;
  metricsRegistry: Registry;
  /** Defaults to a client built from `config.kingdee`. */
  client?: KingdeeClient;
  logger?: Logger;
}

/** Operator pause/resume events (insert-only); the latest per flow is in force. */
export interface FlowPause {
  documentType: string;
  paused: boolean;
  by: string;
  reason: string;
  at: Date;
}

interface UndecodableMessage {
  _id: string;
  topic: string;
  partition: number;
  offset: string;
  error: string;
  key: string | null;
  valueBase64: string | null;
  at: Date;
}

/** Operator actions that are refused say why, in words a person acts on. */
export class AdminActionError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class SinkService {
  readonly ledger: Ledger;
  readonly metrics: SinkMetrics;
  readonly client: KingdeeClient;
  readonly acctId: string;
  /** Aggregated (汇总) posting of flows that configure it (aggregation/aggregator.ts). */
  readonly aggregation: Aggregator;
  private readonly poster: Poster;
  private readonly logger: Logger;
  private readonly flows: Map<string, FlowConfig>;
  private readonly topicFlows = new Map<string, FlowConfig>();
  private readonly flowPauses: Collection<FlowPause>;
  private readonly undecodable: Collection<UndecodableMessage>;
  private consumer: Consumer | undefined;
  /** Partitions paused because Kingdee is unavailable: topic → partitions. */
  private readonly outagePaused = new Map<string, Set<number>>();
  private readonly operatorPaused = new Set<string>();
  private probeTimer: NodeJS.Timeout | undefined;
  private schedulerTimer: NodeJS.Timeout | undefined;
  private countsTimer: NodeJS.Timeout | undefined;
  private running = false;
  private httpSeconds = 0;
  lastOutage: { at: Date; error: string } | null = null;

  constructor(private readonly deps: SinkServiceDeps) {
    this.logger = deps.logger ?? createLogger('sink-kingdee');
    this.metrics = new SinkMetrics(deps.metricsRegistry);
    this.client =
      deps.client ??
      KingdeeClient.fromConfig(deps.config.kingdee, {
        logger: this.logger,
        onCall: ({ operation, durationMs, outcome }) => {
          this.httpSeconds += durationMs / 1000;
          this.metrics.kingdeeCallSeconds.observe({ operation, outcome }, durationMs / 1000);
        },
      }, 'sink config kingdee');
    this.acctId = String(deps.config.kingdee.acctId);
    this.ledger = new Ledger(deps.db);
    this.metrics.attachLedger(this.ledger);
    this.flowPauses = deps.db.collection<FlowPause>('sink_kingdee_flow_pauses');
    this.undecodable = deps.db.collection<UndecodableMessage>('sink_kingdee_undecodable');
    this.flows = new Map(deps.config.flows.map((flow) => [flow.documentType, flow]));
    const poster = new Poster({
      client: this.timedClient(),
      ledger: this.ledger,
      acctId: this.acctId,
      flows: this.flows,
      batchSize: deps.config.batchSize,
      chunksInFlight: deps.config.chunksInFlight,
      level2RetryDelaysMs: deps.config.level2RetryDelaysMs,
      metrics: this.metrics,
      logger: this.logger,
    });
    // Aggregation hook: documents of aggregated flows become group members; summary bills post through `poster`.
    this.aggregation = new Aggregator({ db: deps.db, ledger: this.ledger, poster, acctId: this.acctId, flows: this.flows, metricsRegistry: deps.metricsRegistry, logger: this.logger });
    this.poster = this.aggregation.poster;
  }

  get isReady(): boolean {
    return this.running && this.outagePaused.size === 0;
  }

  canonicalTopics(): string[] {
    return this.deps.config.flows.map((flow) => topics.canonical(flow.documentType));
  }

  async start(): Promise<void> {
    await this.ledger.ensureIndexes();
    // Ledger gauges: one scan now (in the background), then this process's writes move them; rescanned now and then.
    const loadCounts = () => void this.ledger.loadCounts().catch((error: unknown) => this.logger.warn({ err: errorMessage(error) }, 'ledger counts not loaded'));
    loadCounts();
    this.countsTimer = setInterval(loadCounts, this.deps.config.ledgerCountsRefreshMs);
    await this.aggregation.start(); // aggregation hook: indexes, close schedule, bills frozen before a crash
    for (const flow of this.deps.config.flows) this.topicFlows.set(topics.canonical(flow.documentType), flow);
    // createTopics(waitForLeaders) can fail while a fresh topic's metadata spreads; a second call finds it.
    await withRetry(() => this.deps.kafka.ensureTopics(this.canonicalTopics().map((topic) => ({ topic }))), {
      maxAttempts: 8,
      initialDelayMs: 250,
      maxDelayMs: 2_000,
      shouldRetry: (error) => /does not host this topic-partition|leader/i.test(errorMessage(error)),
    });
    // Freshly created topics take a moment to have leaders everywhere ("does not host this topic-partition").
    const admin = await this.deps.kafka.admin();
    await withRetry(
      async () => {
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics: this.canonicalTopics() });
        if (metadata.some((topic) => topic.partitions.length === 0 || topic.partitions.some((p) => p.leader < 0))) throw new Error('canonical topics have no leaders yet');
      },
      { maxAttempts: 12, initialDelayMs: 250, maxDelayMs: 2_000, shouldRetry: () => true },
    );
    for (const pause of (await this.latestFlowPauses()).values()) if (pause.paused) this.operatorPaused.add(pause.documentType);

    const consumer = this.deps.kafka.consumer({
      groupId: this.deps.config.groupId,
      readCommitted: true,
      sessionTimeout: this.deps.config.sessionTimeoutMs,
      heartbeatInterval: Math.max(1_000, Math.floor(this.deps.config.sessionTimeoutMs / 6)),
    });
    this.consumer = consumer;
    await consumer.connect();
    await withRetry(() => consumer.subscribe({ topics: this.canonicalTopics(), fromBeginning: true }), {
      maxAttempts: 8,
      initialDelayMs: 250,
      maxDelayMs: 2_000,
      shouldRetry: (error) => /does not host this topic-partition|UNKNOWN_TOPIC/i.test(errorMessage(error)),
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // Partitions may have moved: entries this process cached may be written by another instance now.
      this.ledger.forgetCache();
      // A rebalance forgets pauses: apply operator pauses again (outage pauses re-trigger on the next failure).
      for (const documentType of this.operatorPaused) consumer.pause([{ topic: topics.canonical(documentType) }]);
    });
    this.running = true;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Partitions are posted concurrently; the poster bounds the chunks in flight across all of them.
      partitionsConsumedConcurrently: this.deps.config.chunksInFlight,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    for (const documentType of this.operatorPaused) consumer.pause([{ topic: topics.canonical(documentType) }]);
    this.schedulerTimer = setInterval(() => void this.runScheduler(), this.deps.config.schedulerIntervalMs);
    this.metrics.pausedPartitions.set({ reason: 'operator' }, 0);
    this.metrics.pausedPartitions.set({ reason: 'kingdee_unavailable' }, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.schedulerTimer);
    clearInterval(this.countsTimer);
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    await this.aggregation.stop(); // aggregation hook
    await this.poster.idle();
    await this.consumer?.disconnect();
  }

  // ---------------------------------------------------------------- Kafka

  private async handleBatch({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, pause, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const flow = this.topicFlows.get(topic);
    if (!flow || this.operatorPaused.has(flow.documentType)) {
      pause();
      this.consumer?.seek({ topic, partition, offset: batch.firstOffset() ?? batch.lastOffset() });
      return;
    }
    const entries: { offset: string; request: PostRequest | null }[] = [];
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      try {
        if (!message.value) throw new Error('message has no value (tombstone)');
        const decoded = await this.deps.serde.decode(message.value);
        // Plain JSON: decimals as exact strings, storable in the ledger as they are.
        const canonical = JSON.parse(JSON.stringify(decoded)) as CanonicalJson;
        sourceIdentity(canonical); // an event without a usable identity cannot be keyed: kept below instead
        entries.push({ offset: message.offset, request: { documentType: flow.documentType, canonical, origin: 'kafka' } });
      } catch (error) {
        // Nothing is lost: the bytes are kept for a person, and the message is acknowledged.
        // false: already kept by an earlier delivery.
        await insertOnce(this.undecodable, { _id: `${topic}|${partition}|${message.offset}`, topic, partition, offset: message.offset, error: errorMessage(error), key: message.key?.toString() ?? null, valueBase64: message.value?.toString('base64') ?? null, at: new Date() });
        this.metrics.outcome(formsOf(flow.documentType)[0]!, 'undecodable', 1);
        this.logger.error({ topic, partition, offset: message.offset, err: errorMessage(error) }, 'undecodable canonical message kept in sink_kingdee_undecodable');
        entries.push({ offset: message.offset, request: null });
      }
    }
    const requests = entries.flatMap((entry) => (entry.request ? [entry.request] : []));
    // The offset after the first `completed` requests (and the undecodable messages between them).
    const offsetAfter = (completed: number): { next: string; firstOpen: number } => {
      let seen = 0;
      for (const [index, entry] of entries.entries()) {
        if (entry.request) {
          if (seen === completed) return { next: entry.offset, firstOpen: index };
          seen++;
        }
      }
      const last = entries[entries.length - 1];
      return { next: last ? (BigInt(last.offset) + 1n).toString() : (batch.firstOffset() ?? '0'), firstOpen: entries.length };
    };
    let committed = batch.firstOffset() ?? '0';
    let lastCommitAt = Date.now();
    const commit = async (next: string) => {
      if (BigInt(next) <= BigInt(committed)) return;
      committed = next;
      lastCommitAt = Date.now();
      resolveOffset((BigInt(next) - 1n).toString());
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
    };
    // A long batch keeps the group membership alive; outcomes in the ledger are committed as they come (≤ 1/s).
    const heartbeatTimer = setInterval(() => void heartbeat().catch(() => undefined), Math.max(1_000, Math.floor(this.deps.config.sessionTimeoutMs / 6)));
    let pausedBy: SinkPausedError | undefined;
    let completedRequests = requests.length;
    try {
      await this.poster.post(requests, {
        onProgress: async (completed) => {
          if (Date.now() - lastCommitAt >= 1_000 && completed < requests.length) await commit(offsetAfter(completed).next);
        },
      });
    } catch (error) {
      if (!(error instanceof SinkPausedError)) throw error;
      pausedBy = error;
      completedRequests = error.completed;
    } finally {
      clearInterval(heartbeatTimer);
    }
    const allDone = !pausedBy && entries.length === batch.messages.length;
    const nextOffset = allDone ? (BigInt(batch.lastOffset()) + 1n).toString() : offsetAfter(completedRequests).next;
    await commit(nextOffset);
    this.metrics.consumerLag.set({ topic, partition: String(partition) }, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(nextOffset))));
    if (pausedBy) {
      pause();
      this.consumer?.seek({ topic, partition, offset: nextOffset });
      this.enterOutage(topic, partition, pausedBy);
    }
  }

  private enterOutage(topic: string, partition: number, error: SinkPausedError): void {
    const set = this.outagePaused.get(topic) ?? new Set<number>();
    set.add(partition);
    this.outagePaused.set(topic, set);
    this.lastOutage = { at: new Date(), error: errorMessage(error.cause) };
    this.metrics.pausedPartitions.set({ reason: 'kingdee_unavailable' }, [...this.outagePaused.values()].reduce((sum, s) => sum + s.size, 0));
    this.logger.warn({ topic, partition, err: errorMessage(error.cause) }, 'Kingdee unavailable (level 3): partition paused, probing');
    this.probeTimer ??= setInterval(() => void this.probe(), this.deps.config.probeIntervalMs);
  }

  private probing = false;

  /** Level 3 recovery: one cheap query; when Kingdee answers, resume every outage-paused partition. */
  private async probe(): Promise<void> {
    if (this.probing || !this.running) return;
    this.probing = true;
    try {
      await this.client.check();
      const resumed: { topic: string; partitions: number[] }[] = [];
      for (const [topic, partitions] of this.outagePaused) {
        const flow = this.topicFlows.get(topic);
        if (flow && this.operatorPaused.has(flow.documentType)) continue;
        resumed.push({ topic, partitions: [...partitions] });
      }
      this.outagePaused.clear();
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
      this.metrics.pausedPartitions.set({ reason: 'kingdee_unavailable' }, 0);
      if (resumed.length > 0) this.consumer?.resume(resumed);
      this.logger.info({ resumed }, 'Kingdee answers again: resumed from the break point');
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'Kingdee probe failed; staying paused');
    } finally {
      this.probing = false;
    }
  }

  // ---------------------------------------------------------------- scheduler (level 2 ladder, abandoned entries)

  private scheduling = false;

  async runScheduler(): Promise<number> {
    if (this.scheduling || !this.running || this.outagePaused.size > 0) return 0;
    this.scheduling = true;
    try {
      const due = await this.ledger.due(new Date(), this.deps.config.staleInFlightMs, this.deps.config.batchSize * 5, this.deps.config.schedulerSweepMs);
      const requests = due.filter((entry) => this.flows.has(entry.documentType)).map((entry) => this.requestOf(entry, 'scheduler'));
      if (requests.length === 0) return 0;
      await this.poster.post(requests);
      return requests.length;
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'scheduled retries stopped early');
      return 0;
    } finally {
      this.scheduling = false;
    }
  }

  private requestOf(entry: LedgerEntry, origin: PostRequest['origin'], actor?: string): PostRequest {
    return { documentType: entry.documentType as SinkDocumentType, canonical: entry.canonical, origin, actor };
  }

  // ---------------------------------------------------------------- operator actions

  /** Re-push a PARKED or REJECTED document now (after master data or stock was fixed). */
  async repush(id: string, actor: string): Promise<LedgerEntry> {
    let entry = await this.ledger.get(id);
    if (!entry) throw new AdminActionError(404, `单据不存在 no ledger entry ${id}`);
    if (entry.state !== 'PARKED' && entry.state !== 'REJECTED') {
      throw new AdminActionError(409, `只能重推已挂起或待重试的单据，当前状态 ${entry.state} only PARKED or REJECTED documents can be re-pushed`);
    }
    if (!this.flows.has(entry.documentType)) throw new AdminActionError(409, `flow ${entry.documentType} is not configured in this sink`);
    if (entry.problem?.code === 'DELETED_IN_KINGDEE') {
      const deleted = entry;
      const reset = await this.poster.exclusive([deleted.canonical], () => this.ledger.transition(deleted, { stage: 'NONE', fid: null, postedVersion: null }, 'reset_deleted_bill', { actor }));
      if (!reset) throw new AdminActionError(409, 'ledger entry changed meanwhile; try again');
      entry = reset;
    }
    const current = entry;
    try {
      await this.poster.post([this.requestOf(current, 'repush', actor)]);
    } catch (error) {
      if (error instanceof SinkPausedError) throw new AdminActionError(503, `金蝶不可用，稍后重试 Kingdee unavailable: ${errorMessage(error.cause)}`);
      throw error;
    }
    return (await this.ledger.get(id))!;
  }

  /** Skip a document a person decided not to post; who and why are recorded. */
  async skip(id: string, actor: string, reason: string): Promise<LedgerEntry> {
    const found = await this.ledger.get(id);
    if (!found) throw new AdminActionError(404, `单据不存在 no ledger entry ${id}`);
    // No chunk may work on the document meanwhile: read again under its lock, then write.
    return this.poster.exclusive([found.canonical], async () => {
      const entry = await this.ledger.get(id);
      if (!entry) throw new AdminActionError(404, `单据不存在 no ledger entry ${id}`);
      if (entry.state !== 'PARKED' && entry.state !== 'REJECTED') {
        throw new AdminActionError(409, `只能跳过已挂起或待重试的单据，当前状态 ${entry.state} only PARKED or REJECTED documents can be skipped`);
      }
      const skipped = await this.ledger.transition(entry, { state: 'SKIPPED', nextRetryAt: null, skipped: { by: actor, reason, at: new Date() } }, 'skipped', { actor, detail: reason });
      if (!skipped) throw new AdminActionError(409, 'ledger entry changed meanwhile; try again');
      this.metrics.outcome(entry.formId, 'skipped', entry.problem?.level ?? 0);
      return skipped;
    });
  }

  async pauseFlow(documentType: string, actor: string, reason: string): Promise<FlowPause> {
    if (!this.flows.has(documentType)) throw new AdminActionError(404, `flow ${documentType} is not configured`);
    const pause: FlowPause = { documentType, paused: true, by: actor, reason, at: new Date() };
    await this.flowPauses.insertOne({ ...pause });
    this.operatorPaused.add(documentType);
    this.consumer?.pause([{ topic: topics.canonical(documentType) }]);
    this.metrics.pausedPartitions.set({ reason: 'operator' }, this.operatorPaused.size);
    return pause;
  }

  async resumeFlow(documentType: string, actor: string): Promise<FlowPause> {
    if (!this.flows.has(documentType)) throw new AdminActionError(404, `flow ${documentType} is not configured`);
    const resume: FlowPause = { documentType, paused: false, by: actor, reason: 'resumed', at: new Date() };
    await this.flowPauses.insertOne({ ...resume });
    this.operatorPaused.delete(documentType);
    const topic = topics.canonical(documentType);
    if (!this.outagePaused.has(topic)) this.consumer?.resume([{ topic }]);
    this.metrics.pausedPartitions.set({ reason: 'operator' }, this.operatorPaused.size);
    return resume;
  }

  async flowStatus(): Promise<{ documentType: string; topic: string; forms: string[]; paused: FlowPause | null; kingdeeUnavailable: number[] }[]> {
    const pauses = await this.latestFlowPauses();
    return this.deps.config.flows.map((flow) => {
      const topic = topics.canonical(flow.documentType);
      return {
        documentType: flow.documentType,
        topic,
        forms: formsOf(flow.documentType),
        paused: pauses.get(flow.documentType) ?? null,
        kingdeeUnavailable: [...(this.outagePaused.get(topic) ?? [])],
      };
    });
  }

  private async latestFlowPauses(): Promise<Map<string, FlowPause>> {
    const latest = new Map<string, FlowPause>();
    for (const event of await this.flowPauses.find({}, { projection: { _id: 0 } }).sort({ at: 1 }).toArray()) latest.set(event.documentType, event);
    return latest;
  }

  listUndecodable(limit: number): Promise<UndecodableMessage[]> {
    return this.undecodable.find({}).sort({ at: -1 }).limit(limit).toArray();
  }

  /** The client the poster uses, timing each operation so limiter waits and backoff show in metrics. */
  private timedClient(): KingdeeClient {
    const addWait = (operation: string, seconds: number) => this.metrics.clientWaitSeconds.inc({ operation }, seconds);
    const httpSeconds = () => this.httpSeconds;
    const timed = ['batchSave', 'submit', 'audit', 'unAudit', 'allocate', 'executeBillQuery'] as const;
    return new Proxy(this.client, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        // Bound to the client itself: its methods use ES-private fields, which a proxy as `this` cannot reach.
        if (!(timed as readonly (string | symbol)[]).includes(property)) return (value as (...a: unknown[]) => unknown).bind(target);
        return async (...args: unknown[]) => {
          const started = Date.now();
          const httpBefore = httpSeconds();
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            const waited = (Date.now() - started) / 1000 - (httpSeconds() - httpBefore);
            if (waited > 0) addWait(String(property), waited);
          }
        };
      },
    });
  }
}
