import { AvroSerde, KafkaClient, topics } from '@yecai/kafka';
import { consumeAll, testEndpoints } from '@yecai/test-harness';

/**
 * Canonical events of a type published under a run's topic prefix, as a consumer reads them (read_committed),
 * decoded through the registry. Read once the pipeline has produced them (it stops after 3 s without a message).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- events are read field by field by the tests
export async function canonicalEvents(topicPrefix: string, documentType: string): Promise<Record<string, any>[]> {
  const previous = process.env.YECAI_TOPIC_PREFIX;
  process.env.YECAI_TOPIC_PREFIX = topicPrefix;
  const kafka = new KafkaClient({ brokers: [testEndpoints().kafkaBrokers], clientId: 'yecai-e2e-canonical-check' });
  try {
    const serde = new AvroSerde(testEndpoints().schemaRegistryUrl);
    const messages = await consumeAll(kafka, topics.canonical(documentType), { readCommitted: true, idleMs: 3_000 });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    return Promise.all(messages.map((message) => serde.decode<Record<string, any>>(message.value!)));
  } finally {
    if (previous === undefined) delete process.env.YECAI_TOPIC_PREFIX;
    else process.env.YECAI_TOPIC_PREFIX = previous;
    await kafka.disconnect();
  }
}
