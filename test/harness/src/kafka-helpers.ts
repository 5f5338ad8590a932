import { randomBytes } from 'node:crypto';
import { KafkaClient, type KafkaRecord } from '@yecai/kafka';
import { testEndpoints } from './endpoints';

/** A topic prefix no other test (or earlier run) uses; set it as YECAI_TOPIC_PREFIX to keep a test's topics apart. */
export function uniqueTopicPrefix(label = 't'): string {
  return `${label.toLowerCase().replace(/[^a-z0-9]/g, '')}-${randomBytes(4).toString('hex')}.`;
}

export function uniqueName(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

/** A KafkaClient for the harness's broker. */
export function testKafka(clientId = uniqueName('test')): KafkaClient {
  return new KafkaClient({ brokers: [testEndpoints().kafkaBrokers], clientId });
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  value: Buffer | null;
  headers: KafkaRecord['headers'];
}

export interface ConsumeAllOptions {
  readCommitted?: boolean;
  /** Stop as soon as this many messages arrived (then wait `settleMs` more to catch extra ones). */
  expected?: number;
  /** Stop after this long without a new message. */
  idleMs?: number;
  settleMs?: number;
  timeoutMs?: number;
}

/**
 * Reads a topic from the beginning with a fresh consumer group and returns what it holds.
 * With `expected`, fails if fewer arrive before the timeout; extra messages (duplicates) are returned, not hidden.
 */
export async function consumeAll(kafka: KafkaClient, topics: string | string[], options: ConsumeAllOptions = {}): Promise<ConsumedMessage[]> {
  const { readCommitted = true, expected, idleMs = 3_000, settleMs = 1_000, timeoutMs = 60_000 } = options;
  const consumer = kafka.consumer({ groupId: uniqueName('consume-all'), readCommitted });
  const messages: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: Array.isArray(topics) ? topics : [topics], fromBeginning: true });
    let lastArrival = Date.now();
    const started = Date.now();
    // Idle time counts only once the group has joined: a slow join (a loaded machine) is not an empty topic.
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
      lastArrival = Math.max(lastArrival, Date.now());
    });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        lastArrival = Date.now();
        messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString(),
          value: message.value,
          headers: message.headers,
        });
      },
    });
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = Date.now();
      if (expected !== undefined && messages.length >= expected && now - lastArrival >= settleMs) break;
      if (expected === undefined && joined && now - lastArrival >= idleMs && now - started >= idleMs) break;
      if (now - started > timeoutMs) {
        if (expected !== undefined) {
          throw new Error(`consumeAll: ${messages.length} of ${expected} expected messages after ${timeoutMs} ms`);
        }
        break;
      }
    }
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Polls `condition` until it holds or the timeout passes (then throws with `what`). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
