import type { Consumer, EachBatchPayload, IHeaders, KafkaMessage } from 'kafkajs';
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
  messages: KafkaMessage[];
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
  fromBeginning?: boolean;
  /** Consumer session timeout: how soon a crashed replica's partitions move to another one (default 30 s). */
  sessionTimeoutMs?: number;
  /** After each committed transaction (metrics, tests). */
  onCommitted?: (info: { topic: string; partition: number; nextOffset: string; inputCount: number; outputCount: number; ms: number }) => void;
  logger?: Logger;
}

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
      producer = this.options.kafka.transactionalProducer(id);
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
          if (outputs.length > 0) {
            const byTopic = new Map<string, { key: string; value: Buffer; headers?: IHeaders }[]>();
            for (const { topic: outTopic, ...message } of outputs) byTopic.set(outTopic, [...(byTopic.get(outTopic) ?? []), message]);
            await transaction.sendBatch({ topicMessages: [...byTopic].map(([outTopic, list]) => ({ topic: outTopic, messages: list })) });
          }
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
