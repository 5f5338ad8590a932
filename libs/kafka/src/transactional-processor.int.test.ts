import { consumeAll, testKafka, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import type { KafkaClient } from './client';
import { TransactionalProcessor } from './transactional-processor';

describe('TransactionalProcessor (real broker)', () => {
  let kafka: KafkaClient;
  beforeAll(() => {
    kafka = testKafka('tx-processor-int');
  });
  afterAll(() => kafka.disconnect());

  it('emits every input exactly once although a transform fails mid-stream, and commits the input offsets', async () => {
    const prefix = uniqueTopicPrefix('txp');
    const input = `${prefix}in`;
    const output = `${prefix}out`;
    await kafka.ensureTopics([{ topic: input, numPartitions: 3 }, { topic: output, numPartitions: 3 }]);
    const producer = await kafka.producer();
    const total = 900;
    await producer.send({
      topic: input,
      messages: Array.from({ length: total }, (_, i) => ({ key: `k${i % 50}`, value: `v${i}` })),
    });

    const groupId = uniqueName('txp-group');
    let failures = 0;
    const processor = new TransactionalProcessor({
      kafka,
      groupId,
      topics: [input],
      transactionalIdPrefix: groupId,
      maxChunkSize: 100,
      transform: async ({ messages }) => {
        // The first chunk holding v450 fails once after producing part of its work: the abort must drop it.
        if (failures === 0 && messages.some((m) => m.value?.toString() === 'v450')) {
          failures += 1;
          throw new Error('transform failed once');
        }
        return messages.map((m) => ({ topic: output, key: m.key!.toString(), value: Buffer.from(m.value!.toString().toUpperCase()) }));
      },
    });
    await processor.start();
    try {
      const admin = await kafka.admin();
      await waitFor(async () => {
        const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
        const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
        return committed === total;
      }, 'all input offsets committed', 60_000);
    } finally {
      await processor.stop();
    }
    expect(failures).toBe(1);
    const out = await consumeAll(kafka, output, { readCommitted: true, expected: total });
    const values = out.map((m) => m.value!.toString());
    expect(new Set(values).size).toBe(total);
    expect(values).toHaveLength(total);
    expect(values).toContain('V450');
  });
  it('commits a chunk whose outputs exceed the broker’s largest record batch (sent in several requests of one transaction)', async () => {
    const prefix = uniqueTopicPrefix('txp-big');
    const input = `${prefix}in`;
    const output = `${prefix}out`;
    await kafka.ensureTopics([{ topic: input, numPartitions: 1 }, { topic: output, numPartitions: 1 }]);
    const producer = await kafka.producer();
    const total = 300;
    const body = 'x'.repeat(8 * 1024);
    // 300 × 8 KiB = 2.4 MiB of output for one partition in one chunk: over message.max.bytes (1 MiB) as one batch.
    for (let start = 0; start < total; start += 100) {
      await producer.send({ topic: input, messages: Array.from({ length: 100 }, (_, i) => ({ key: 'same-key', value: `${start + i}:${body}` })) });
    }
    const groupId = uniqueName('txp-big-group');
    const chunks: number[] = [];
    const processor = new TransactionalProcessor({
      kafka,
      groupId,
      topics: [input],
      transactionalIdPrefix: groupId,
      maxChunkSize: total,
      transform: async ({ messages }) => messages.map((m) => ({ topic: output, key: 'same-key', value: m.value! })),
      onCommitted: ({ inputCount }) => chunks.push(inputCount),
    });
    await processor.start();
    try {
      await waitFor(async () => chunks.reduce((sum, count) => sum + count, 0) === total, 'every input committed', 120_000);
    } finally {
      await processor.stop();
    }
    expect(Math.max(...chunks)).toBeGreaterThan(128); // at least one chunk carried more than 1 MiB of output
    const out = await consumeAll(kafka, output, { readCommitted: true, expected: total });
    expect(out.map((m) => Number(m.value!.toString().split(':')[0]))).toEqual(Array.from({ length: total }, (_, i) => i));
  });
});
