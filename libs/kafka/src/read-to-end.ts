import { withRetry } from '@yecai/common';
import type { KafkaClient } from './client';
import type { KafkaRecord } from './records';

/**
 * Reads the committed records of `topics` from the beginning up to their last stable offsets taken at the
 * start (read_committed), then stops: a snapshot read, unlike a consumer that waits for traffic to go quiet.
 */
export async function readTopicsToEnd(
  kafka: KafkaClient,
  topics: string[],
  eachMessage: (topic: string, partition: number, message: KafkaRecord) => void,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const admin = await kafka.admin();
  const pending = new Map<string, bigint>(); // "topic/partition" → end offset
  for (const topic of topics) {
    // The admin lists offsets read_committed: `high` is the last stable offset, so open transactions are not waited for.
    // A topic created a moment ago may not have a known leader yet (NOT_LEADER_FOR_PARTITION): retriable.
    const offsets = await withRetry(() => admin.fetchTopicOffsets(topic), {
      maxAttempts: 8,
      initialDelayMs: 100,
      maxDelayMs: 2000,
      shouldRetry: (error) => (error as { retriable?: unknown } | null)?.retriable === true,
    });
    for (const { partition, high, low } of offsets) {
      if (BigInt(high) > BigInt(low)) pending.set(`${topic}/${partition}`, BigInt(high));
    }
  }
  if (pending.size === 0) return;
  const consumer = kafka.consumer({
    groupId: `read-to-end-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    readCommitted: true,
  });
  await consumer.connect();
  try {
    let done!: () => void;
    const caughtUp = new Promise<void>((resolve) => (done = resolve));
    const progress = (topic: string, partition: number, lastOffset: string | null) => {
      const key = `${topic}/${partition}`;
      const end = pending.get(key);
      if (end !== undefined && lastOffset !== null && BigInt(lastOffset) + 1n >= end) {
        pending.delete(key);
        if (pending.size === 0) done();
      }
    };
    // Batches that end in transaction markers or aborted records reach us only as this event.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      progress(payload.topic, payload.partition, payload.lastOffset),
    );
    await consumer.subscribe({ topics, fromBeginning: true });
    // Offsets not committed: a rebalance during the read (seen under load) starts the partitions over from the
    // beginning. Each record below its end offset reaches `eachMessage` once, whatever is redelivered.
    const ends = new Map(pending);
    const delivered = new Map<string, bigint>(); // "topic/partition" → next offset not yet delivered
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const key = `${topic}/${partition}`;
        const offset = BigInt(message.offset);
        const end = ends.get(key);
        if (end !== undefined && offset < end && offset >= (delivered.get(key) ?? 0n)) {
          eachMessage(topic, partition, message);
          delivered.set(key, offset + 1n);
        }
        progress(topic, partition, message.offset);
      },
    });
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      caughtUp,
      new Promise(
        (_, reject) =>
          (timer = setTimeout(
            () => reject(new Error(`${topics.join(', ')}: not read to the end within ${timeoutMs} ms`)),
            timeoutMs,
          )),
      ),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
}
