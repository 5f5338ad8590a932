import { AvroSerde, KafkaClient, documentKey, type TransactionalProducer } from '@yecai/kafka';
import { createLogger, type Logger } from '@yecai/common';
import { checkpointKey, decodeCheckpoint, encodeCheckpoint, type StreamCheckpoint } from './checkpoint';
import type { CheckpointCommitter, RawDocument } from './stream-sync';

/**
 * Writes a page of raw documents and the stream's checkpoint in ONE Kafka transaction: a crash at any instant
 * leaves either both or neither, so the cursor can never get ahead of what was published.
 */
export class KafkaCheckpointCommitter implements CheckpointCommitter {
  constructor(
    private readonly producer: TransactionalProducer,
    private readonly serde: AvroSerde,
    private readonly rawSchemaId: number,
    private readonly rawTopic: string,
    private readonly checkpointTopic: string,
  ) {}

  async commit(documents: RawDocument[], checkpoint: StreamCheckpoint): Promise<void> {
    const messages = await Promise.all(
      documents.map(async (document) => ({
        key: documentKey({
          sourceSystem: document.sourceSystem,
          account: document.account,
          documentType: document.documentType,
          sourceId: document.sourceId,
        }),
        value: await this.serde.encode(this.rawSchemaId, document),
      })),
    );
    const checkpointMessage = {
      key: checkpointKey(checkpoint.account, checkpoint.stream, checkpoint.mode),
      value: encodeCheckpoint(checkpoint),
    };
    await this.producer.inTransaction(async (transaction) => {
      // One produce request for both topics.
      await transaction.sendBatch({
        topicMessages: [
          ...(messages.length > 0 ? [{ topic: this.rawTopic, messages }] : []),
          { topic: this.checkpointTopic, messages: [checkpointMessage] },
        ],
      });
    });
  }
}

/**
 * Reads the latest committed checkpoint per key from the compacted checkpoint topic (read_committed, from the
 * beginning, up to the end offsets taken at start). Call it after the stream's transactional producers were
 * created: initialising a transactional id aborts whatever a crashed predecessor left open.
 */
export async function readCheckpoints(
  kafka: KafkaClient,
  topic: string,
  options: { timeoutMs?: number; logger?: Logger } = {},
): Promise<Map<string, StreamCheckpoint>> {
  const logger = options.logger ?? createLogger('connector-kit.checkpoints');
  const admin = await kafka.admin();
  const ends = await admin.fetchTopicOffsets(topic);
  const pending = new Map<number, bigint>();
  for (const { partition, high, low } of ends) if (BigInt(high) > BigInt(low)) pending.set(partition, BigInt(high));
  const checkpoints = new Map<string, StreamCheckpoint>();
  if (pending.size === 0) return checkpoints;

  const consumer = kafka.consumer({ groupId: `checkpoint-reader-${process.pid}-${Date.now()}`, readCommitted: true });
  await consumer.connect();
  try {
    let done!: () => void;
    const caughtUp = new Promise<void>((resolve) => (done = resolve));
    const progress = (partition: number, lastOffset: string | null) => {
      const end = pending.get(partition);
      if (end !== undefined && lastOffset !== null && BigInt(lastOffset) + 1n >= end) {
        pending.delete(partition);
        if (pending.size === 0) done();
      }
    };
    // Batches that end in transaction markers or aborted records reach us only as this event.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic === topic) progress(payload.partition, payload.lastOffset);
    });
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const key = message.key?.toString();
        if (key && message.value) checkpoints.set(key, decodeCheckpoint(message.value, key));
        else if (key) checkpoints.delete(key);
        progress(partition, message.offset);
      },
    });
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      caughtUp,
      new Promise(
        (_, reject) =>
          (timer = setTimeout(
            () => reject(new Error(`checkpoint topic ${topic}: not read to its end within ${timeoutMs} ms`)),
            timeoutMs,
          )),
      ),
    ]).finally(() => clearTimeout(timer));
    logger.info({ topic, checkpoints: checkpoints.size }, 'checkpoints loaded');
    return checkpoints;
  } finally {
    await consumer.disconnect();
  }
}
