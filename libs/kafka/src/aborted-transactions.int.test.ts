import { testKafka, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import type { KafkaClient } from './index';

/**
 * A read_committed reader must never see a record of an aborted transaction, whatever offset its fetch starts at.
 * kafkajs 2.2.4 filters aborted records itself and stepped into at most one aborted transaction per record: a fetch
 * starting inside one aborted transaction (a consumer group resuming, a second fetch of a long partition) skipped
 * the next one and delivered its records. A restarted source lane then read a checkpoint its crashed predecessor never
 * committed, trusted it, and never read again the documents that checkpoint claimed were published.
 */
describe('read_committed and aborted transactions (real broker)', () => {
  let kafka: KafkaClient;
  beforeAll(() => {
    kafka = testKafka('kafka-aborted');
  });
  afterAll(() => kafka.disconnect());

  async function readFrom(topic: string, offset: number, expected: number): Promise<string[]> {
    const groupId = uniqueName('aborted-read');
    const admin = await kafka.admin();
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: String(offset) }] });
    const consumer = kafka.consumer({ groupId, readCommitted: true });
    const values: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
      const deadline = Date.now() + 30_000;
      while (values.length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // anything that should not be there would come now
    } finally {
      await consumer.disconnect();
    }
    return values;
  }

  it('a reader whose fetch starts inside one aborted transaction skips the records of the next aborted one too', async () => {
    const topic = `${uniqueTopicPrefix('abort')}checkpoints`;
    await kafka.ensureTopics([{ topic, numPartitions: 1 }]);
    // Two lanes' transactions interleaved on one partition, both aborted (their process was killed):
    // a1@0 (lane A), b1@1 (lane B), a2@2 (lane A), then the abort markers, then a committed record.
    const laneA = await kafka.transactionalProducer(`${topic}-a`);
    const laneB = await kafka.transactionalProducer(`${topic}-b`);
    const txA = await laneA.producer.transaction();
    const txB = await laneB.producer.transaction();
    await txA.send({ topic, messages: [{ key: 'a', value: 'aborted a1' }] });
    await txB.send({ topic, messages: [{ key: 'b', value: 'aborted b1' }] });
    await txA.send({ topic, messages: [{ key: 'a', value: 'aborted a2' }] });
    await txA.abort();
    await txB.abort();
    await laneA.inTransaction((tx) => tx.send({ topic, messages: [{ key: 'a', value: 'committed' }] }).then(() => undefined));

    for (const offset of [0, 1, 2]) expect({ offset, read: await readFrom(topic, offset, 1) }).toEqual({ offset, read: ['committed'] });
  });
});
