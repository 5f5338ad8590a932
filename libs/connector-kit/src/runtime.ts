import type { Registry } from 'prom-client';
import { AvroSerde, KafkaClient, topics, type TransactionalProducer } from '@yecai/kafka';
import { loadRawDocumentSchema } from '@yecai/contracts';
import { YecaiError, createLogger, errorMessage, sleep, type Logger } from '@yecai/common';
import { checkpointKey, laneTransactionalId, type StreamCheckpoint } from './checkpoint';
import { SyncEvents } from './events';
import { KafkaCheckpointCommitter, readCheckpoints } from './kafka-committer';
import { registerSourceMetrics } from './metrics';
import { CallRateLimiter, type RateLimits } from './rate-limit';
import type { StreamDefinition } from './stream';
import { StreamSync, floorToSecond, type CycleResult, type SyncRetryOptions } from './stream-sync';
import type { SourceTransport } from './transport';

export interface SourceAccount {
  /** Account name (labels, keys, topics' document keys): `[a-z0-9_-]+`, not a secret. */
  name: string;
  transport: SourceTransport;
  limits: RateLimits;
  /** Where a stream without a checkpoint starts (epoch ms). */
  startAtMs: number;
  /** Per-stream start overrides (epoch ms), e.g. master data whose rows were last edited years ago. */
  streamStartAtMs?: Record<string, number>;
  /** Streams to run for this account; default all. */
  streams?: string[];
}

export interface SourceRuntimeOptions {
  /** Service name: checkpoint topic `checkpoint.<service>` and transactional ids. */
  service: string;
  system: string;
  streams: StreamDefinition[];
  accounts: SourceAccount[];
  kafka: KafkaClient;
  serde: AvroSerde;
  /** Pause between two cycles of a live stream. */
  pollIntervalMs?: number;
  retry?: Partial<SyncRetryOptions>;
  metrics?: Registry;
  logger?: Logger;
  events?: SyncEvents;
}

export interface BackfillRequest {
  fromMs: number;
  toMs: number;
  /** Stream names; default all. */
  streams?: string[];
  /** Accounts; default all. */
  accounts?: string[];
}

interface Lane {
  account: SourceAccount;
  stream: StreamDefinition;
  sync: StreamSync;
  producer: TransactionalProducer;
}

/**
 * Runs every (account, stream) of a source: each lane has its own transactional producer (id
 * `<topic prefix><service>.<account>.<stream>[.backfill]`, which also fences a crashed predecessor; the topic prefix
 * keeps environments sharing one cluster from fencing each other), resumes from its committed
 * checkpoint, and publishes raw documents and checkpoint in one transaction per page.
 */
export class SourceRuntime {
  readonly events: SyncEvents;
  private readonly logger: Logger;
  private readonly limiters = new Map<string, CallRateLimiter>();
  private lanes: Lane[] = [];
  private stopping = false;
  private loops: Promise<void>[] = [];
  private wake: (() => void) | undefined;
  private rawSchemaIds = new Map<string, number>();
  ready = false;

  constructor(private readonly options: SourceRuntimeOptions) {
    this.events = options.events ?? new SyncEvents();
    this.logger = options.logger ?? createLogger(options.service);
    if (options.metrics) registerSourceMetrics(options.metrics, options.system, this.events);
    for (const account of options.accounts) {
      for (const name of account.streams ?? []) {
        if (!options.streams.some((stream) => stream.name === name)) {
          throw new YecaiError(`account ${account.name}: unknown stream "${name}"`, {
            code: 'VALIDATION',
            level: 1,
            retriable: false,
            field: `accounts.${account.name}.streams`,
          });
        }
      }
    }
  }

  get checkpointTopic(): string {
    return topics.checkpoint(this.options.service);
  }

  /** The call budget a lane waits on: the account's, or the account's per endpoint when its limits say so. */
  private limiterFor(account: SourceAccount, stream: Pick<StreamDefinition, 'endpoint'>): CallRateLimiter {
    const key = account.limits.perEndpoint ? `${account.name} ${stream.endpoint}` : account.name;
    let limiter = this.limiters.get(key);
    if (!limiter) this.limiters.set(key, (limiter = new CallRateLimiter(account.limits)));
    return limiter;
  }

  rawTopic(stream: StreamDefinition): string {
    return topics.raw(this.options.system, stream.documentType);
  }

  /** Topics, schema registration, producers, checkpoints. Idempotent across restarts. */
  async prepare(): Promise<void> {
    const { kafka, serde, streams } = this.options;
    // Partitions, compaction and retention: the kinds' rows of TOPIC_SETTINGS (libs/kafka).
    await kafka.ensureTopics(
      [this.checkpointTopic, ...streams.map((stream) => this.rawTopic(stream))].map((topic) => ({ topic })),
    );
    const schema = loadRawDocumentSchema();
    for (const stream of streams)
      this.rawSchemaIds.set(stream.name, await serde.registerForTopic(this.rawTopic(stream), schema));
    await Promise.all(this.options.accounts.map((account) => account.transport.prepare?.()));
  }

  /** Starts the live lanes and keeps them polling until stop(). */
  async start(): Promise<void> {
    await this.prepare();
    this.lanes = await this.openLanes('live', this.selected(), () => undefined);
    this.ready = true;
    this.loops = this.lanes.map((lane) => this.loop(lane));
  }

  /** One cycle of every live lane (tests, benchmarks, `--once`). */
  async runOnce(): Promise<Map<string, CycleResult>> {
    if (this.lanes.length === 0) {
      await this.prepare();
      this.lanes = await this.openLanes('live', this.selected(), () => undefined);
      this.ready = true;
    }
    const results = new Map<string, CycleResult>();
    await Promise.all(
      this.lanes.map(async (opened) => {
        const lane = await this.settled(opened);
        results.set(`${lane.account.name}/${lane.stream.name}`, await lane.sync.runCycle());
      }),
    );
    return results;
  }

  /**
   * Re-pulls [fromMs, toMs] for the chosen streams as BACKFILL documents under each stream's backfill checkpoint,
   * leaving the live cursor alone. A backfill of the same range resumes where it stopped; a completed one is not
   * repeated; a different range starts over.
   */
  async backfill(request: BackfillRequest): Promise<Map<string, CycleResult>> {
    if (!(request.toMs > request.fromMs)) {
      throw new YecaiError('backfill: --to must be after --from', {
        code: 'VALIDATION',
        level: 1,
        retriable: false,
        field: 'to',
      });
    }
    await this.prepare();
    const range = { fromMs: floorToSecond(request.fromMs), toMs: floorToSecond(request.toMs) };
    const pairs = this.selected(request.streams, request.accounts);
    const sameRange = (existing: StreamCheckpoint | undefined) =>
      existing && existing.range?.fromMs === range.fromMs && existing.range.toMs === range.toMs ? existing : undefined;
    const lanes = await this.openLanes('backfill', pairs, sameRange, range);
    const results = new Map<string, CycleResult>();
    try {
      await Promise.all(
        lanes.map(async (lane) => {
          if (lane.sync.checkpoint.completed) return;
          results.set(`${lane.account.name}/${lane.stream.name}`, await lane.sync.runCycle());
        }),
      );
    } finally {
      await Promise.allSettled(lanes.map((lane) => lane.producer.disconnect()));
    }
    return results;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.ready = false;
    this.wake?.();
    await Promise.allSettled(this.loops);
    await Promise.allSettled(this.lanes.map((lane) => lane.producer.disconnect()));
  }

  private selected(
    streamNames?: string[],
    accountNames?: string[],
  ): Array<{ account: SourceAccount; stream: StreamDefinition }> {
    for (const name of streamNames ?? []) {
      if (!this.options.streams.some((stream) => stream.name === name)) {
        throw new YecaiError(
          `unknown stream "${name}" (known: ${this.options.streams.map((s) => s.name).join(', ')})`,
          { code: 'VALIDATION', level: 1, retriable: false, field: 'streams' },
        );
      }
    }
    return this.options.accounts
      .filter((account) => !accountNames || accountNames.includes(account.name))
      .flatMap((account) =>
        this.options.streams
          .filter((stream) => !account.streams || account.streams.includes(stream.name))
          .filter((stream) => !streamNames || streamNames.includes(stream.name))
          .map((stream) => ({ account, stream })),
      );
  }

  private async openLanes(
    mode: 'live' | 'backfill',
    pairs: Array<{ account: SourceAccount; stream: StreamDefinition }>,
    reuse: (existing: StreamCheckpoint | undefined) => StreamCheckpoint | undefined,
    range?: { fromMs: number; toMs: number },
  ): Promise<Lane[]> {
    const { kafka, serde, service } = this.options;
    // Producers first: initialising each transactional id aborts a crashed predecessor's open transaction,
    // so the checkpoints read next are final.
    const producers = await Promise.all(
      pairs.map(({ account, stream }) =>
        kafka.transactionalProducer(laneTransactionalId(service, account.name, stream.name, mode)),
      ),
    );
    const stored = await readCheckpoints(kafka, this.checkpointTopic, { logger: this.logger });
    return pairs.map(({ account, stream }, index) => {
      const key = checkpointKey(account.name, stream.name, mode);
      const existing = stored.get(key);
      const initial: StreamCheckpoint = (mode === 'live' ? existing : reuse(existing)) ?? {
        version: 1,
        account: account.name,
        stream: stream.name,
        mode,
        cursor:
          mode === 'backfill'
            ? String(range!.fromMs)
            : stream.cursor.kind === 'modified_time'
              ? String(floorToSecond(account.streamStartAtMs?.[stream.name] ?? account.startAtMs))
              : '0',
        ...(range ? { range } : {}),
        completed: false,
        seen: {},
        updatedAt: Date.now(),
      };
      this.logger.info({ key, cursor: initial.cursor, resumed: initial === existing }, 'stream lane opened');
      const producer = producers[index]!;
      const committer = new KafkaCheckpointCommitter(
        producer,
        serde,
        this.rawSchemaIds.get(stream.name)!,
        this.rawTopic(stream),
        this.checkpointTopic,
      );
      const sync = new StreamSync(
        {
          account: account.name,
          stream,
          transport: account.transport,
          limiter: this.limiterFor(account, stream),
          limiterOf: (endpoint) => this.limiterFor(account, { endpoint }),
          committer,
          events: this.events,
          retry: this.options.retry,
          shouldStop: () => this.stopping,
        },
        initial,
      );
      return { account, stream, sync, producer };
    });
  }

  /**
   * The lane, ready for its next cycle. After a commit with unknown outcome: the lane again from Kafka, as after a
   * restart — a new producer on its transactional id (which makes the coordinator finish or abort the transaction in
   * doubt), then its checkpoint read back.
   */
  private async settled(lane: Lane): Promise<Lane> {
    if (!lane.sync.commitOutcomeUnknown) return lane;
    await lane.producer.disconnect().catch(() => undefined);
    const [reopened] = await this.openLanes('live', [{ account: lane.account, stream: lane.stream }], () => undefined);
    this.lanes[this.lanes.indexOf(lane)] = reopened!;
    this.logger.warn(
      { account: lane.account.name, stream: lane.stream.name },
      'lane reopened after a commit with unknown outcome',
    );
    return reopened!;
  }

  private async loop(opened: Lane): Promise<void> {
    const pollIntervalMs = this.options.pollIntervalMs ?? 30_000;
    let lane = opened;
    while (!this.stopping) {
      try {
        lane = await this.settled(lane);
        const result = await lane.sync.runCycle();
        this.logger.debug({ account: lane.account.name, stream: lane.stream.name, ...result }, 'cycle done');
      } catch (error) {
        const kafkaType = (error as { type?: unknown } | null)?.type;
        if (kafkaType === 'PRODUCER_FENCED' || kafkaType === 'INVALID_PRODUCER_EPOCH') {
          // Another instance opened this lane's transactional id: it owns the lane now; never write beside it.
          this.ready = false;
          this.events.emit({
            type: 'cycle_failed',
            account: lane.account.name,
            stream: lane.stream.name,
            code: 'FENCED',
            message: errorMessage(error),
          });
          this.logger.error(
            { account: lane.account.name, stream: lane.stream.name },
            'lane fenced by another instance of this service; stopping it',
          );
          return;
        }
        const code = error instanceof YecaiError ? error.code : 'UNKNOWN';
        this.events.emit({
          type: 'cycle_failed',
          account: lane.account.name,
          stream: lane.stream.name,
          code,
          message: errorMessage(error),
        });
        this.logger.warn(
          { account: lane.account.name, stream: lane.stream.name, code, err: errorMessage(error) },
          'sync cycle failed; resuming from the last checkpoint next cycle',
        );
      }
      if (this.stopping) break;
      await Promise.race([sleep(pollIntervalMs), new Promise<void>((resolve) => (this.wake = resolve))]);
    }
  }
}
