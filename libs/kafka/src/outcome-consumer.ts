/**
 * A consumer that commits an offset only after the caller says the messages before it have a durable outcome
 * (a ledger entry, a parked record, a kept undecodable message): at-least-once delivery into an idempotent writer,
 * which is what gives the posting kit exactly-once effect. Batches of several partitions run concurrently; a long
 * batch keeps its group membership alive and commits the outcomes it has (at most once a second); a handler that
 * must stop (its target is down, an operator paused the flow) pauses the partition and seeks back to the first
 * message without an outcome, so nothing is skipped when it resumes.
 */
import type { Consumer, KafkaMessage } from 'kafkajs';
import { errorMessage, withRetry } from '@yecai/common';
import type { KafkaClient } from './client';


export interface OutcomeBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  highWatermark: string;
}

export interface OutcomeControl {
  /** The first `count` messages of the batch have their outcome: their offsets may be committed (≤ once a second). */
  progress(count: number): Promise<void>;
  /** False once the consumer stops or the group rebalanced away from this batch: stop early, report what is done. */
  isActive(): boolean;
}

export interface OutcomeResult {
  /** Leading messages of the batch whose outcome is durable; the rest are delivered again. */
  completed: number;
  /** Pause the partition (at the first message without an outcome) until `resume` is called. */
  pause?: boolean;
  /** Runs once the partition is paused (e.g. start probing: a resume before the pause would be lost). */
  afterPause?: () => void;
}

export interface CommitAfterOutcomeOptions {
  groupId: string;
  topics: string[];
  /** How long a crashed instance keeps its partitions before the group moves them. */
  sessionTimeoutMs: number;
  /** Partitions whose batches are handled at once. */
  partitionsConsumedConcurrently: number;
  handle(batch: OutcomeBatch, control: OutcomeControl): Promise<OutcomeResult>;
  /** After each batch: the offset the group will resume from, and the partition's high watermark (for lag). */
  onCommitted?(topic: string, partition: number, nextOffset: string, highWatermark: string): void;
  /** The group (re)assigned partitions: caches keyed by partition may be stale, pauses are to be applied again. */
  onGroupJoin?(): void;
}

const COMMIT_EVERY_MS = 1_000;

export class CommitAfterOutcomeConsumer {
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: CommitAfterOutcomeOptions,
  ) {}

  /** Connects, subscribes (from the beginning for a new group) and starts handling batches. */
  async start(): Promise<void> {
    const { groupId, sessionTimeoutMs } = this.options;
    const consumer = this.kafka.consumer({ groupId, readCommitted: true, sessionTimeout: sessionTimeoutMs, heartbeatInterval: this.heartbeatMs() });
    this.consumer = consumer;
    await consumer.connect();
    // A freshly created topic's metadata takes a moment to reach every broker.
    await withRetry(() => consumer.subscribe({ topics: this.options.topics, fromBeginning: true }), {
      maxAttempts: 8,
      initialDelayMs: 250,
      maxDelayMs: 2_000,
      shouldRetry: (error) => /does not host this topic-partition|UNKNOWN_TOPIC/i.test(errorMessage(error)),
    });
    consumer.on(consumer.events.GROUP_JOIN, () => this.options.onGroupJoin?.());
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, pause, isRunning, isStale }) => {
        const { topic, partition, messages } = batch;
        let committed = batch.firstOffset() ?? '0';
        let lastCommitAt = Date.now();
        const nextOffsetAfter = (count: number): string =>
          count < messages.length ? messages[count]!.offset : (BigInt(batch.lastOffset()) + 1n).toString();
        const commit = async (next: string) => {
          if (BigInt(next) <= BigInt(committed)) return;
          committed = next;
          lastCommitAt = Date.now();
          resolveOffset((BigInt(next) - 1n).toString());
          await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
        };
        const control: OutcomeControl = {
          progress: async (count) => {
            if (Date.now() - lastCommitAt >= COMMIT_EVERY_MS && count < messages.length) await commit(nextOffsetAfter(count));
          },
          isActive: () => isRunning() && !isStale(),
        };
        const heartbeatTimer = setInterval(() => void heartbeat().catch(() => undefined), this.heartbeatMs());
        let result: OutcomeResult;
        try {
          result = await this.options.handle({ topic, partition, messages, highWatermark: batch.highWatermark }, control);
        } finally {
          clearInterval(heartbeatTimer);
        }
        const next = result.completed >= messages.length ? nextOffsetAfter(messages.length) : nextOffsetAfter(result.completed);
        await commit(next);
        this.options.onCommitted?.(topic, partition, next, batch.highWatermark);
        if (result.pause) {
          pause();
          consumer.seek({ topic, partition, offset: next });
          result.afterPause?.();
        }
      },
    });
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    this.consumer?.pause(topics);
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    this.consumer?.resume(topics);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private heartbeatMs(): number {
    return Math.max(1_000, Math.floor(this.options.sessionTimeoutMs / 6));
  }
}
