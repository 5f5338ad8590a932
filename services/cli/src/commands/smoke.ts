import { randomUUID } from 'node:crypto';
import { AvroSerde, KafkaClient, topicPrefix } from '@yecai/kafka';
import { Decimal } from '@yecai/common';
import type { StackEndpoints } from '@yecai/stack';
import { connectMongo } from '@yecai/store';

const SMOKE_SCHEMA = {
  type: 'record',
  name: 'SmokeStockLine',
  namespace: 'yecai.smoke',
  fields: [
    { name: 'runId', type: 'string' },
    { name: 'warehouse', type: 'string' },
    { name: 'sku', type: 'string' },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 2 } },
  ],
};

/**
 * A round trip through every piece of the stack: an Avro record (with a decimal price) registered, produced,
 * consumed back read_committed; a master-data document stored and read back from MongoDB.
 */
export async function smokeRoundTrip(endpoints: StackEndpoints, print: (line: string) => void): Promise<void> {
  const runId = randomUUID();
  const topic = `${topicPrefix()}smoke`;
  const kafka = new KafkaClient({ brokers: [endpoints.kafkaBrokers], clientId: 'yecai-smoke' });
  try {
    await kafka.ensureTopics([{ topic, numPartitions: 1 }]);
    const serde = new AvroSerde(endpoints.schemaRegistryUrl);
    const schemaId = await serde.registerForTopic(topic, SMOKE_SCHEMA);
    const record = { runId, warehouse: 'WH-01', sku: 'SKU-A001', price: new Decimal('129.90') };
    const producer = await kafka.producer();
    const [sent] = await producer.send({ topic, messages: [{ key: runId, value: await serde.encode(schemaId, record) }] });
    print(`Kafka: 写入 produced 1 Avro record to ${topic} (schema id ${schemaId}, offset ${sent?.baseOffset})`);

    const consumer = kafka.consumer({ groupId: `yecai-smoke-${runId}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received = await new Promise<typeof record>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('smoke record not consumed back within 30s')), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== runId || !message.value) return;
          clearTimeout(timer);
          resolve(await serde.decode<typeof record>(message.value));
        },
      });
    });
    await consumer.disconnect();
    if (!(received.price instanceof Decimal) || !received.price.equals(record.price) || received.sku !== record.sku) {
      throw new Error(`smoke record came back different: ${JSON.stringify(received)}`);
    }
    print(`Kafka: 读回 consumed it back (read_committed): ${received.sku} @ ${received.warehouse}, price ${received.price.toFixed(2)} (decimal)`);
  } finally {
    await kafka.disconnect();
  }

  const mongo = await connectMongo(endpoints.mongodbUri, { appName: 'yecai-smoke', serverSelectionTimeoutMs: 5_000 });
  try {
    const warehouses = mongo.db('yecai_smoke').collection<{ _id: string; sourceCode: string; kingdeeStockNumber: string; runId: string }>('warehouse_map');
    await warehouses.replaceOne(
      { _id: 'jushuitan/WH-01' },
      { sourceCode: 'WH-01', kingdeeStockNumber: 'CK001', runId },
      { upsert: true },
    );
    const stored = await warehouses.findOne({ _id: 'jushuitan/WH-01' });
    if (stored?.runId !== runId) throw new Error('smoke master-data document not read back');
    print(`MongoDB: 存取 stored and read back warehouse map jushuitan/WH-01 → 金蝶仓库 ${stored.kingdeeStockNumber}`);
  } finally {
    await mongo.close();
  }
}
