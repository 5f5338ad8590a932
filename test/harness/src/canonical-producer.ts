/** Produces canonical events the way mapping does: Avro with the registered canonical schema, keyed by document. */
import { withRetry } from '@yecai/common';
import { documentKey, type AvroSerde, type KafkaClient, type KafkaProducer } from '@yecai/kafka';
import { loadCanonicalSchema } from '@yecai/contracts';

export type CanonicalProducer = (documentType: string, events: Record<string, unknown>[]) => Promise<void>;

export function canonicalProducer(kafka: KafkaClient, serde: AvroSerde): CanonicalProducer {
  let producer: KafkaProducer | undefined;
  const ids = new Map<string, number>();
  return async (documentType, events) => {
    producer ??= await kafka.producer();
    const schema = loadCanonicalSchema(documentType);
    let id = ids.get(documentType);
    if (id === undefined) {
      id = await serde.register(schema.subject, schema.schema);
      ids.set(documentType, id);
    }
    const messages = [];
    for (const event of events) {
      const source = event.source as { sourceSystem: string; account: string; documentType: string; sourceId: string };
      messages.push({ key: documentKey(source), value: await serde.encode(id, event) });
    }
    await withRetry(() => kafka.ensureTopics([{ topic: schema.topic }]), { maxAttempts: 8, initialDelayMs: 250, shouldRetry: () => true });
    await producer.send({ topic: schema.topic, messages });
  };
}
