// First: corrects kafkajs's read_committed filter before kafkajs loads its consumer (see the module).
import './read-committed-filter';
import {
  Kafka,
  logLevel as KafkaLogLevel,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type ITopicConfig,
  type LogEntry,
  type Producer,
  type ProducerConfig,
  type Transaction,
} from 'kafkajs';
import { createLogger, type Logger } from '@yecai/common';
import { JavaCompatiblePartitioner } from './partitioner';
import { withTopicSettings } from './topic-settings';

export interface KafkaClientConfig {
  /** host:port list; use 127.0.0.1 rather than localhost (Node may resolve localhost to ::1). */
  brokers: string[];
  clientId: string;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  logger?: Logger;
}

/** A topic to create; what it leaves out comes from its kind's row in TOPIC_SETTINGS (topic-settings.ts). */
export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  /** Compacted topics keep the latest value per key: checkpoints and master-data notices. */
  compacted?: boolean;
  retentionMs?: number;
  configEntries?: Record<string, string>;
}

export interface ConsumerOptions extends Omit<ConsumerConfig, 'readUncommitted'> {
  /** Only see committed transactional messages (default true: every yecai consumer reads committed data). */
  readCommitted?: boolean;
}

/**
 * What kafkajs logs at ERROR when a transaction's first send reaches the coordinator while it still writes the
 * previous transaction's commit markers (a few ms after every commit, so every back-to-back transaction of one
 * producer — each source lane's pages, each mapping batch). The broker answers CONCURRENT_TRANSACTIONS, which the
 * protocol defines as "retry"; kafkajs does retry it (tulios/kafkajs#1315), and the Java client retries it silently.
 */
const COORDINATOR_BUSY_RETRY =
  'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';
/**
 * Also logged at ERROR and retried (after a metadata refresh): a send that meets a partition whose leader is not known
 * yet — a topic created a moment ago (seen on a loaded CI machine), or leadership moving during a broker restart.
 */
const LEADER_MOVED_RETRY = 'Failed to send messages: This server is not the leader for that topic-partition';
/** Send failures kafkajs retries by itself: routine unless they repeat (then a person may want to look). */
const RETRIED_SEND_FAILURES = new Set([COORDINATOR_BUSY_RETRY, LEADER_MOVED_RETRY]);

// kafkajs 2.2.4 schedules a timer with a negative delay on Node ≥ 23 (harmless, tulios/kafkajs#1751); keep
// that one warning out of operators' terminals, let every other warning through.
const nodeWarningListeners = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'TimeoutNegativeWarning') return;
  for (const listener of nodeWarningListeners) listener(warning);
});

/**
 * The only place yecai touches Kafka. A thin layer over kafkajs that fixes the project's defaults
 * (idempotent producers, read_committed consumers, logs through pino) and owns every connection it opens,
 * so `disconnect()` closes them all.
 */
export class KafkaClient {
  readonly kafka: Kafka;
  private readonly logger: Logger;
  private readonly opened = new Set<{ disconnect(): Promise<void> }>();
  private adminClient: Admin | undefined;

  constructor(readonly config: KafkaClientConfig) {
    this.logger = config.logger ?? createLogger('kafka', { clientId: config.clientId });
    const logger = this.logger;
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      connectionTimeout: config.connectionTimeoutMs ?? 5_000,
      requestTimeout: config.requestTimeoutMs ?? 30_000,
      logLevel: KafkaLogLevel.WARN,
      logCreator:
        () =>
        ({ level, log }: LogEntry) => {
          const { message, ...extra } = log;
          // kafkajs logs every error *response* at ERROR and then retries it; the caller sees the final outcome.
          if (level <= KafkaLogLevel.ERROR && message.startsWith('Response ')) logger.debug(extra, message);
          else if (level <= KafkaLogLevel.ERROR && RETRIED_SEND_FAILURES.has(message)) {
            // Not a failure: see RETRIED_SEND_FAILURES. Only one that persists over many retries is worth a look.
            if (Number(extra.retryCount) >= 5) logger.warn(extra, message);
            else logger.debug(extra, message);
          } else if (level <= KafkaLogLevel.ERROR) logger.error(extra, message);
          else if (level === KafkaLogLevel.WARN) logger.warn(extra, message);
          else logger.debug(extra, message);
        },
    });
  }

  /** A connected admin client, shared by every caller of this KafkaClient. */
  async admin(): Promise<Admin> {
    if (!this.adminClient) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.adminClient = admin;
      this.opened.add(admin);
    }
    return this.adminClient;
  }

  /**
   * Creates the topics that do not exist yet, with their kind's settings (TOPIC_SETTINGS) unless the spec says
   * otherwise; existing ones are left untouched. Returns the created names.
   */
  async ensureTopics(specs: TopicSpec[]): Promise<string[]> {
    const admin = await this.admin();
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic)).map(withTopicSettings);
    if (missing.length === 0) return [];
    const topics: ITopicConfig[] = missing.map((spec) => ({
      topic: spec.topic,
      numPartitions: spec.numPartitions,
      replicationFactor: -1,
      configEntries: Object.entries({
        ...(spec.compacted ? { 'cleanup.policy': 'compact' } : {}),
        ...(spec.retentionMs !== undefined ? { 'retention.ms': String(spec.retentionMs) } : {}),
        ...spec.configEntries,
      }).map(([name, value]) => ({ name, value })),
    }));
    try {
      // Not kafkajs's own leader wait: on a broker that has just started it gives up on the first
      // UNKNOWN_TOPIC_OR_PARTITION of a topic it has just created (`yecai run` on a fresh machine failed so);
      // waitForLeaders below waits for the same thing and tolerates that answer.
      await admin.createTopics({ topics, waitForLeaders: false });
    } catch (error) {
      // Another instance may have created them at the same moment; only a topic that still is missing is an error.
      const after = new Set(await admin.listTopics());
      if (missing.some((spec) => !after.has(spec.topic))) throw error;
    }
    // Whoever created them, callers may use them at once: wait until every partition has a leader.
    await this.waitForLeaders(missing.map((spec) => spec.topic));
    return missing.map((spec) => spec.topic);
  }

  private async waitForLeaders(topicNames: string[], timeoutMs = 30_000): Promise<void> {
    const admin = await this.admin();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: topicNames });
        if (topics.every((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0))) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`topics without a partition leader after ${timeoutMs} ms: ${topicNames.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** A connected idempotent producer (acks=all, no duplicates on retry). */
  async producer(config: Omit<ProducerConfig, 'idempotent' | 'transactionalId'> = {}): Promise<Producer> {
    const producer = this.kafka.producer({
      maxInFlightRequests: 5,
      createPartitioner: JavaCompatiblePartitioner,
      ...config,
      idempotent: true,
    });
    await producer.connect();
    this.opened.add(producer);
    return producer;
  }

  /**
   * A connected transactional producer. kafkajs has no KIP-447 fencing by consumer group, so callers that
   * consume-transform-produce use one transactionalId per input partition (see transactional-processor.ts).
   */
  async transactionalProducer(
    transactionalId: string,
    config: Omit<ProducerConfig, 'idempotent' | 'transactionalId'> = {},
  ): Promise<TransactionalProducer> {
    const producer = this.kafka.producer({
      transactionTimeout: 60_000,
      createPartitioner: JavaCompatiblePartitioner,
      ...config,
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    // kafkajs's connect() takes a plain idempotent producer id; the transactional one — whose request makes the
    // coordinator finish or abort the transaction a predecessor left open (and fences that predecessor) — it asks
    // for only at the first transaction. Asked for here, so that what the caller reads next (a checkpoint, offsets)
    // is final: a predecessor's transaction can no longer commit after that read. Nothing was added to this empty
    // transaction, so its abort sends nothing.
    const settle = await producer.transaction();
    await settle.abort();
    const transactional = new TransactionalProducer(producer, transactionalId);
    this.opened.add(transactional);
    return transactional;
  }

  /** A consumer (not yet connected); read_committed unless told otherwise. */
  consumer(options: ConsumerOptions): Consumer {
    const { readCommitted = true, ...rest } = options;
    const consumer = this.kafka.consumer({ ...rest, readUncommitted: !readCommitted });
    this.opened.add(consumer);
    return consumer;
  }

  async disconnect(): Promise<void> {
    const all = [...this.opened];
    this.opened.clear();
    this.adminClient = undefined;
    await Promise.allSettled(all.map((client) => client.disconnect()));
  }
}

export class TransactionalProducer {
  constructor(
    readonly producer: Producer,
    readonly transactionalId: string,
  ) {}

  /** Runs `work` in one Kafka transaction: commits when it resolves, aborts when it throws. */
  async inTransaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    const transaction = await this.producer.transaction();
    let result: T;
    try {
      result = await work(transaction);
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
    await transaction.commit();
    return result;
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
