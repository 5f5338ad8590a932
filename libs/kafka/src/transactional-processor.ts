import type { Consumer, EachBatchPayload, IHeaders } from 'kafkajs';
import type { KafkaRecord } from './records';
import { createLogger, type Logger } from '@yecai/common';
import type { KafkaClient, TransactionalProducer } from './client';

/** One message to produce, in the same transaction as the input offsets. */
export interface OutputMessage {
  topic: string;
  key: string;
  value: Buffer;
  headers?: IHeaders;
}

export interface InputChunk {
  topic: string;
  partition: number;
  messages: KafkaRecord[];
}

export interface TransactionalProcessorOptions {
  kafka: KafkaClient;
  groupId: string;
  topics: string[];
  /**
   * Prefix of the transactional ids: one id per input partition, `<prefix>.<topic>.<partition>`. Stable across
   * restarts and replicas, so a new owner of a partition fences the previous one (kafkajs has no KIP-447).
   */
  transactionalIdPrefix: string;
  /** Turns a chunk of input messages (one partition, in offset order) into output messages. Throwing aborts. */
  transform: (chunk: InputChunk) => Promise<OutputMessage[]>;
  /** Messages per transaction (default 500). */
  maxChunkSize?: number;
  /** Partitions processed in parallel by this replica (default 3). */
  partitionsConsumedConcurrently?: number;
  /**
   * Most bytes fetched per partition and fetch (default 4 MiB): a fetched batch is what chunks are cut from, so it
   * bounds the largest transaction (kafkajs' default of 1 MiB holds ~1,300 documents of 780 B).
   */
  maxBytesPerPartition?: number;
  fromBeginning?: boolean;
  /** Consumer session timeout: how soon a crashed replica's partitions move to another one (default 30 s). */
  sessionTimeoutMs?: number;
  /** After each committed transaction (metrics, tests). */
  onCommitted?: (info: { topic: string; partition: number; nextOffset: string; inputCount: number; outputCount: number; ms: number }) => void;
  logger?: Logger;
}

/**
 * Retries of the transactional producers. The broker answers CONCURRENT_TRANSACTIONS to the first request of a
 * transaction while it still writes the previous one's commit markers (a few milliseconds); kafkajs' default first
 * back-off of 300 ms then idled a partition for longer than the transaction itself. Start at 20 ms (the Java
 * client's back-off for this case) and keep retrying without limit, as idempotent producers must.
 */
type TopicMessages = { topic: string; messages: Omit<OutputMessage, 'topic'>[] };

/**
 * Most bytes of output per produce request. Outputs are keyed like their input, so a chunk's outputs usually land in
 * one partition, and the broker refuses a record batch over `message.max.bytes` (1 MiB by default) with a
 * non-retriable error: large chunks are sent in several requests of the same transaction.
 */
const MAX_SEND_BYTES = 768 * 1024;

/** Outputs grouped by topic, cut into requests of at most MAX_SEND_BYTES (one oversized message goes alone). */
function byteBoundedParts(outputs: OutputMessage[]): TopicMessages[][] {
  const parts: TopicMessages[][] = [];
  let byTopic = new Map<string, Omit<OutputMessage, 'topic'>[]>();
  let bytes = 0;
  const flush = () => {
    if (byTopic.size > 0) parts.push([...byTopic].map(([topic, messages]) => ({ topic, messages })));
    byTopic = new Map();
    bytes = 0;
  };
  for (const { topic, ...message } of outputs) {
    // Key, value and the record's own framing (headers are rare and small).
    const size = Buffer.byteLength(message.key) + message.value.length + 64;
    if (bytes > 0 && bytes + size > MAX_SEND_BYTES) flush();
    let list = byTopic.get(topic);
    if (!list) {
      list = [];
      byTopic.set(topic, list);
    }
    list.push(message);
    bytes += size;
  }
  flush();
  return parts;
}

const TRANSACTION_RETRY = { initialRetryTime: 20, maxRetryTime: 30_000, retries: Number.MAX_SAFE_INTEGER };

/**
 * Exactly-once consume → transform → produce over Kafka transactions: output messages and the input offsets
 * (`sendOffsets`) commit in one transaction per chunk, consumers downstream read read_committed. A crash at any
 * instant aborts the open transaction; the partition's next owner resumes at the last committed offset, and its
 * producer (same transactional id) fences the old one, so no zombie can commit afterwards.
 */
export class TransactionalProcessor {
  private consumer: Consumer | undefined;
  private readonly producers = new Map<string, Promise<TransactionalProducer>>();
  private readonly logger: Logger;
  private running = false;
  /** Partitions whose start offset was re-read after this replica's producer fenced the previous owner. */
  private readonly fencedAndVerified = new Set<string>();
  /** Per partition, the offset after the last input this replica knows is committed: nothing below is processed again. */
  private readonly committedFloor = new Map<string, bigint>();

  constructor(private readonly options: TransactionalProcessorOptions) {
    this.logger = options.logger ?? createLogger('transactional-processor', { groupId: options.groupId });
  }

  get isRunning(): boolean {
    return this.running;
  }

  private producerFor(topic: string, partition: number): Promise<TransactionalProducer> {
    const id = `${this.options.transactionalIdPrefix}.${topic}.${partition}`;
    let producer = this.producers.get(id);
    if (!producer) {
      producer = this.options.kafka.transactionalProducer(id, { retry: TRANSACTION_RETRY });
      producer.catch(() => this.producers.delete(id));
      this.producers.set(id, producer);
    }
    return producer;
  }

  private async dropProducer(topic: string, partition: number): Promise<void> {
    const id = `${this.options.transactionalIdPrefix}.${topic}.${partition}`;
    const producer = this.producers.get(id);
    this.producers.delete(id);
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }

  async start(): Promise<void> {
    const sessionTimeout = this.options.sessionTimeoutMs ?? 30_000;
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      readCommitted: true,
      sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
    });
    this.consumer = consumer;
    // Every rebalance may hand a partition over from another (possibly dead) replica: verify again.
    consumer.on(consumer.events.GROUP_JOIN, () => this.fencedAndVerified.clear());
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? true });
    const chunkSize = this.options.maxChunkSize ?? 500;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: async (payload) => this.handleBatch(payload, chunkSize),
    });
    this.running = true;
  }

  private async handleBatch(payload: EachBatchPayload, chunkSize: number): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const partitionKey = `${topic}\u0000${partition}`;
    if (batch.messages.length === 0) return;
    let floor = this.committedFloor.get(partitionKey) ?? 0n;
    if (!this.fencedAndVerified.has(partitionKey)) {
      // Without KIP-447 the consumer read its start offset before our producer existed: the previous owner's last
      // transaction (offsets included) may have committed after that read. Initialising the producer fences that
      // owner and completes or aborts its transaction; only then is the committed offset final, so re-read it.
      await this.producerFor(topic, partition);
      const committed = await this.committedOffset(topic, partition);
      if (committed > floor) floor = committed;
      this.committedFloor.set(partitionKey, floor);
      this.fencedAndVerified.add(partitionKey);
    }
    // kafkajs re-delivers a whole batch after an error (a failed transaction, a heartbeat during a rebalance), also
    // when some of its chunks already committed: skip everything below the committed floor.
    const pending = batch.messages.filter((message) => BigInt(message.offset) >= floor);
    if (pending.length < batch.messages.length) {
      this.logger.info({ topic, partition, floor: floor.toString(), skipped: batch.messages.length - pending.length }, 'skipped input already committed');
    }
    if (pending.length === 0) {
      resolveOffset(batch.messages.at(-1)!.offset);
      return;
    }
    for (let start = 0; start < pending.length; start += chunkSize) {
      if (!isRunning() || isStale()) return;
      const messages = pending.slice(start, start + chunkSize);
      const last = messages.at(-1)!;
      const nextOffset = (BigInt(last.offset) + 1n).toString();
      const began = Date.now();
      const producer = await this.producerFor(topic, partition);
      let outputCount = 0;
      try {
        await producer.inTransaction(async (transaction) => {
          const outputs = await this.options.transform({ topic, partition, messages });
          outputCount = outputs.length;
          for (const part of byteBoundedParts(outputs)) await transaction.sendBatch({ topicMessages: part });
          await transaction.sendOffsets({
            consumerGroupId: this.options.groupId,
            topics: [{ topic, partitions: [{ partition, offset: nextOffset }] }],
          });
        });
      } catch (error) {
        // A fenced or broken producer cannot be reused; the next attempt (kafkajs retries the batch) makes a new one.
        this.logger.warn({ err: error, topic, partition }, 'transaction aborted');
        await this.dropProducer(topic, partition);
        this.fencedAndVerified.delete(partitionKey);
        throw error;
      }
      this.committedFloor.set(partitionKey, BigInt(nextOffset));
      resolveOffset(last.offset);
      this.logger.debug({ topic, partition, nextOffset, inputCount: messages.length, outputCount }, 'transaction committed');
      await heartbeat();
      this.options.onCommitted?.({ topic, partition, nextOffset, inputCount: messages.length, outputCount, ms: Date.now() - began });
    }
  }

  private async committedOffset(topic: string, partition: number): Promise<bigint> {
    const admin = await this.options.kafka.admin();
    const [entry] = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
    const offset = entry?.partitions.find((candidate) => candidate.partition === partition)?.offset ?? '-1';
    return BigInt(offset) < 0n ? 0n : BigInt(offset);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer?.disconnect().catch(() => undefined);
    const producers = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(producers.map((producer) => producer.then((p) => p.disconnect())));
  }
}
