import { AvroSerde, KafkaClient, documentKey, readTopicsToEnd, type TransactionalProducer } from '@yecai/kafka';
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
 * Reads the latest committed checkpoint per key from the compacted checkpoint topic. Call it after the stream's
 * transactional producers were created: initialising a transactional id aborts whatever a crashed predecessor
 * left open.
 */
export async function readCheckpoints(
  kafka: KafkaClient,
  topic: string,
  options: { timeoutMs?: number; logger?: Logger } = {},
): Promise<Map<string, StreamCheckpoint>> {
  const logger = options.logger ?? createLogger('connector-kit.checkpoints');
  const checkpoints = new Map<string, StreamCheckpoint>();
  await readTopicsToEnd(
    kafka,
    [topic],
    (_topic, _partition, message) => {
      const key = message.key?.toString();
      if (key && message.value) checkpoints.set(key, decodeCheckpoint(message.value, key));
      else if (key) checkpoints.delete(key);
    },
    options,
  );
  logger.info({ topic, checkpoints: checkpoints.size }, 'checkpoints loaded');
  return checkpoints;
}
