/**
 * The sink service of the posting kit, for any target: consumes canonical topics (read_committed) through the
 * commit-after-outcome consumer, posts through aggregation and the posting engine, pauses partitions while the
 * target is unavailable and resumes them from the break point when a probe succeeds. A scheduler runs level-2
 * retries and resolves abandoned in-flight entries. Operator actions: re-push, skip, pause/resume a flow.
 */
import { createLogger, errorMessage, withRetry, type Logger } from '@yecai/common';
import { insertOnce } from '@yecai/store';
import { decodeCanonical, type CanonicalDocumentType } from '@yecai/contracts';
import { CommitAfterOutcomeConsumer, topics, type AvroSerde, type KafkaClient, type OutcomeBatch, type OutcomeControl, type OutcomeResult } from '@yecai/kafka';
import type { Collection, Db } from 'mongodb';
import type { Registry } from 'prom-client';
import { Aggregator } from './aggregation/aggregator';
import { sourceIdentity, type CanonicalJson } from './canonical';
import type { KitFlow, PostingSettings } from './config';
import { Ledger } from './ledger/ledger';
import type { LedgerEntry } from './ledger/model';
import { SinkMetrics } from './metrics';
import type { TargetAdapter } from './posting/adapter';
import { DELETED_ON_TARGET_CODES, PostingEngine, SinkPausedError, type PostRequest } from './posting/engine';

export interface PostingServiceDeps<F extends KitFlow> {
  settings: PostingSettings<F>;
  adapter: TargetAdapter<F>;
  kafka: KafkaClient;
  serde: AvroSerde;
  db: Db;
  metricsRegistry: Registry;
  /** Prefix of the service's collections (`<prefix>_ledger`, `<prefix>_calls`, `<prefix>_flow_pauses`, …). */
  collectionPrefix: string;
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

export class PostingService<F extends KitFlow = KitFlow> {
  readonly ledger: Ledger;
  readonly metrics: SinkMetrics;
  readonly adapter: TargetAdapter<F>;
  /** Aggregated (汇总) posting of flows that configure it: the stage in front of the engine. */
  readonly aggregation: Aggregator;
  private readonly engine: PostingEngine<F>;
  private readonly logger: Logger;
  private readonly flows: Map<string, F>;
  private readonly topicFlows = new Map<string, F>();
  private readonly flowPauses: Collection<FlowPause>;
  private readonly undecodable: Collection<UndecodableMessage>;
  private consumer: CommitAfterOutcomeConsumer | undefined;
  /** Partitions paused because the target is unavailable: topic → partitions. */
  private readonly outagePaused = new Map<string, Set<number>>();
  private readonly operatorPaused = new Set<string>();
  private probeTimer: NodeJS.Timeout | undefined;
  private schedulerTimer: NodeJS.Timeout | undefined;
  private countsTimer: NodeJS.Timeout | undefined;
  private running = false;
  lastOutage: { at: Date; error: string } | null = null;

  constructor(private readonly deps: PostingServiceDeps<F>) {
    this.logger = deps.logger ?? createLogger(`sink-${deps.adapter.name}`);
    this.adapter = deps.adapter;
    this.metrics = new SinkMetrics(deps.metricsRegistry);
    this.ledger = new Ledger(deps.db, deps.collectionPrefix);
    this.metrics.attachLedger(this.ledger);
    this.flowPauses = deps.db.collection<FlowPause>(`${deps.collectionPrefix}_flow_pauses`);
    this.undecodable = deps.db.collection<UndecodableMessage>(`${deps.collectionPrefix}_undecodable`);
    this.flows = new Map(deps.settings.flows.map((flow) => [flow.documentType, flow]));
    this.engine = new PostingEngine<F>({
      adapter: deps.adapter,
      ledger: this.ledger,
      flows: this.flows,
      batchSize: deps.settings.batchSize,
      chunksInFlight: deps.settings.chunksInFlight,
      level2RetryDelaysMs: deps.settings.level2RetryDelaysMs,
      metrics: this.metrics,
      logger: this.logger,
    });
    this.aggregation = new Aggregator({
      db: deps.db,
      ledger: this.ledger,
      next: this.engine,
      acctId: deps.adapter.account,
      formOf: (documentType) => deps.adapter.formsOf(documentType)[0]!,
      flows: this.flows,
      metricsRegistry: deps.metricsRegistry,
      logger: this.logger,
    });
  }

  /** Where documents enter posting: aggregation, which passes what it does not aggregate on to the engine. */
  private get entry(): Aggregator {
    return this.aggregation;
  }

  get isReady(): boolean {
    return this.running && this.outagePaused.size === 0;
  }

  canonicalTopics(): string[] {
    return this.deps.settings.flows.map((flow) => topics.canonical(flow.documentType));
  }

  async start(): Promise<void> {
    await this.ledger.ensureIndexes();
    // Ledger gauges: one scan now (in the background), then this process's writes move them; rescanned now and then.
    const loadCounts = () => void this.ledger.loadCounts().catch((error: unknown) => this.logger.warn({ err: errorMessage(error) }, 'ledger counts not loaded'));
    loadCounts();
    this.countsTimer = setInterval(loadCounts, this.deps.settings.ledgerCountsRefreshMs);
    await this.aggregation.start(); // aggregation hook: indexes, close schedule, bills frozen before a crash
    for (const flow of this.deps.settings.flows) this.topicFlows.set(topics.canonical(flow.documentType), flow);
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

    const consumer = new CommitAfterOutcomeConsumer(this.deps.kafka, {
      groupId: this.deps.settings.groupId,
      topics: this.canonicalTopics(),
      sessionTimeoutMs: this.deps.settings.sessionTimeoutMs,
      // Partitions are posted concurrently; the engine bounds the chunks in flight across all of them.
      partitionsConsumedConcurrently: this.deps.settings.chunksInFlight,
      handle: (batch, control) => this.handleBatch(batch, control),
      onCommitted: (topic, partition, next, highWatermark) =>
        this.metrics.consumerLag.set({ topic, partition: String(partition) }, Math.max(0, Number(BigInt(highWatermark) - BigInt(next)))),
      onGroupJoin: () => {
        // Partitions may have moved: entries this process cached may be written by another instance now.
        this.ledger.forgetCache();
        // A rebalance forgets pauses: apply operator pauses again (outage pauses re-trigger on the next failure).
        for (const documentType of this.operatorPaused) consumer.pause([{ topic: topics.canonical(documentType) }]);
      },
    });
    this.consumer = consumer;
    this.running = true;
    await consumer.start();
    for (const documentType of this.operatorPaused) consumer.pause([{ topic: topics.canonical(documentType) }]);
    this.schedulerTimer = setInterval(() => void this.runScheduler(), this.deps.settings.schedulerIntervalMs);
    this.metrics.pausedPartitions.set({ reason: 'operator' }, 0);
    this.metrics.pausedPartitions.set({ reason: 'target_unavailable' }, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.schedulerTimer);
    clearInterval(this.countsTimer);
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    await this.aggregation.stop(); // aggregation hook
    await this.engine.idle();
    await this.consumer?.stop();
  }

  // ---------------------------------------------------------------- Kafka

  /**
   * One batch of one partition: decode, post (through aggregation), report how many leading messages have their
   * outcome. An undecodable message is kept for a person and counts as done.
   */
  private async handleBatch({ topic, partition, messages }: OutcomeBatch, control: OutcomeControl): Promise<OutcomeResult> {
    const flow = this.topicFlows.get(topic);
    if (!flow || this.operatorPaused.has(flow.documentType)) return { completed: 0, pause: true };
    const requests: PostRequest[] = [];
    /** Index (in `messages`) of each request's message. */
    const messageOf: number[] = [];
    let scanned = 0;
    for (const [index, message] of messages.entries()) {
      if (!control.isActive()) break;
      scanned = index + 1;
      try {
        if (!message.value) throw new Error('message has no value (tombstone)');
        // A typed plain value of the flow's contract: decimals as exact strings, storable in the ledger as they are.
        const canonical: CanonicalJson = await decodeCanonical(this.deps.serde, flow.documentType as CanonicalDocumentType, message.value);
        sourceIdentity(canonical); // an event without a usable identity cannot be keyed: kept below instead
        requests.push({ documentType: flow.documentType, canonical, origin: 'kafka' });
        messageOf.push(index);
      } catch (error) {
        // Nothing is lost: the bytes are kept for a person, and the message is acknowledged.
        await this.keepUndecodable(topic, partition, message.offset, message.key, message.value, error);
        this.metrics.outcome(this.adapter.formsOf(flow.documentType)[0]!, 'undecodable', 1);
      }
    }
    // Messages done once the first `completed` requests are: everything before the next open request.
    const messagesDone = (completed: number) => (completed < requests.length ? messageOf[completed]! : scanned);
    try {
      await this.entry.post(requests, { onProgress: (completed) => control.progress(messagesDone(completed)) });
    } catch (error) {
      if (!(error instanceof SinkPausedError)) throw error;
      // Probing starts once the partition is paused (a probe answering first must find it paused to resume it).
      return { completed: messagesDone(error.completed), pause: true, afterPause: () => this.enterOutage(topic, partition, error) };
    }
    return { completed: messagesDone(requests.length) };
  }

  private async keepUndecodable(topic: string, partition: number, offset: string, key: Buffer | null, value: Buffer | null, error: unknown): Promise<void> {
    // false: already kept by an earlier delivery.
    await insertOnce(this.undecodable, { _id: `${topic}|${partition}|${offset}`, topic, partition, offset, error: errorMessage(error), key: key?.toString() ?? null, valueBase64: value?.toString('base64') ?? null, at: new Date() });
    this.logger.error({ topic, partition, offset, err: errorMessage(error) }, `undecodable canonical message kept in ${this.undecodable.collectionName}`);
  }

  private enterOutage(topic: string, partition: number, error: SinkPausedError): void {
    const set = this.outagePaused.get(topic) ?? new Set<number>();
    set.add(partition);
    this.outagePaused.set(topic, set);
    this.lastOutage = { at: new Date(), error: errorMessage(error.cause) };
    this.metrics.pausedPartitions.set({ reason: 'target_unavailable' }, [...this.outagePaused.values()].reduce((sum, s) => sum + s.size, 0));
    this.logger.warn({ topic, partition, err: errorMessage(error.cause) }, 'target unavailable (level 3): partition paused, probing');
    this.probeTimer ??= setInterval(() => void this.probe(), this.deps.settings.probeIntervalMs);
  }

  private probing = false;

  /** Level 3 recovery: one cheap call; when the target answers, resume every outage-paused partition. */
  private async probe(): Promise<void> {
    if (this.probing || !this.running) return;
    this.probing = true;
    try {
      await this.adapter.probe();
      const resumed: { topic: string; partitions: number[] }[] = [];
      for (const [topic, partitions] of this.outagePaused) {
        const flow = this.topicFlows.get(topic);
        if (flow && this.operatorPaused.has(flow.documentType)) continue;
        resumed.push({ topic, partitions: [...partitions] });
      }
      this.outagePaused.clear();
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
      this.metrics.pausedPartitions.set({ reason: 'target_unavailable' }, 0);
      if (resumed.length > 0) this.consumer?.resume(resumed);
      this.logger.info({ resumed }, 'target answers again: resumed from the break point');
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'target probe failed; staying paused');
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
      const due = await this.ledger.due(new Date(), this.deps.settings.staleInFlightMs, this.deps.settings.batchSize * 5, this.deps.settings.schedulerSweepMs);
      const requests = due.filter((entry) => this.flows.has(entry.documentType)).map((entry) => this.requestOf(entry, 'scheduler'));
      if (requests.length === 0) return 0;
      await this.entry.post(requests);
      return requests.length;
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'scheduled retries stopped early');
      return 0;
    } finally {
      this.scheduling = false;
    }
  }

  private requestOf(entry: LedgerEntry, origin: PostRequest['origin'], actor?: string): PostRequest {
    return { documentType: entry.documentType, canonical: entry.canonical, origin, actor };
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
    if (entry.problem && DELETED_ON_TARGET_CODES.includes(entry.problem.code)) {
      const deleted = entry;
      const reset = await this.engine.exclusive([deleted.canonical], () => this.ledger.transition(deleted, { stage: 'NONE', fid: null, postedVersion: null }, 'reset_deleted_bill', { actor }));
      if (!reset) throw new AdminActionError(409, 'ledger entry changed meanwhile; try again');
      entry = reset;
    }
    const current = entry;
    try {
      await this.entry.post([this.requestOf(current, 'repush', actor)]);
    } catch (error) {
      if (error instanceof SinkPausedError) throw new AdminActionError(503, `${this.adapter.label}不可用，稍后重试 target unavailable: ${errorMessage(error.cause)}`);
      throw error;
    }
    return (await this.ledger.get(id))!;
  }

  /** Skip a document a person decided not to post; who and why are recorded. */
  async skip(id: string, actor: string, reason: string): Promise<LedgerEntry> {
    const found = await this.ledger.get(id);
    if (!found) throw new AdminActionError(404, `单据不存在 no ledger entry ${id}`);
    // No chunk may work on the document meanwhile: read again under its lock, then write.
    return this.engine.exclusive([found.canonical], async () => {
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

  async flowStatus(): Promise<{ documentType: string; topic: string; forms: string[]; paused: FlowPause | null; targetUnavailable: number[] }[]> {
    const pauses = await this.latestFlowPauses();
    return this.deps.settings.flows.map((flow) => {
      const topic = topics.canonical(flow.documentType);
      return {
        documentType: flow.documentType,
        topic,
        forms: this.adapter.formsOf(flow.documentType),
        paused: pauses.get(flow.documentType) ?? null,
        targetUnavailable: [...(this.outagePaused.get(topic) ?? [])],
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
}
