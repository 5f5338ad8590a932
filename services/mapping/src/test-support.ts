import { createHash } from 'node:crypto';
import { AvroSerde, type KafkaClient, topics, valueSubject } from '@yecai/kafka';
import { loadRawDocumentSchema } from '@yecai/contracts';

/** Raw documents the way a source connector publishes them (RawDocument Avro, key = document identity). */
export class RawPublisher {
  private readonly ids = new Map<string, Promise<number>>();
  constructor(
    private readonly kafka: KafkaClient,
    readonly serde: AvroSerde,
  ) {}

  /** One registration per topic even when many encodes start at once (concurrent first registrations race). */
  schemaId(topic: string): Promise<number> {
    let id = this.ids.get(topic);
    if (id === undefined) {
      id = this.serde.register(valueSubject(topic), loadRawDocumentSchema());
      this.ids.set(topic, id);
    }
    return id;
  }

  async encode(documentType: string, payload: Record<string, unknown> | string, options: { sourceId?: string; modifiedAt?: number; envelopeType?: string } = {}) {
    const topic = topics.raw('jushuitan', documentType);
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const sourceId = options.sourceId ?? String((payload as Record<string, unknown>).io_id ?? (payload as Record<string, unknown>).as_id);
    const envelope = {
      sourceSystem: 'jushuitan',
      account: 'main',
      documentType: options.envelopeType ?? documentType,
      sourceId,
      sourceModifiedAt: options.modifiedAt ?? Date.parse('2024-01-01T02:05:00Z'),
      fetchedAt: Date.now(),
      payload: text,
      contentHash: createHash('sha256').update(text).digest('hex'),
      origin: 'LIVE',
    };
    const key = `jushuitan/main/${envelope.documentType}/${sourceId}`;
    return { topic, key, value: await this.serde.encode(await this.schemaId(topic), envelope) };
  }

  async publish(messages: { topic: string; key: string; value: Buffer }[]): Promise<void> {
    const producer = await this.kafka.producer();
    const byTopic = new Map<string, { key: string; value: Buffer }[]>();
    for (const { topic, ...message } of messages) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })) });
    await producer.disconnect();
  }
}
