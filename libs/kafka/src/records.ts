/**
 * The shapes yecai code handles Kafka through. kafkajs's own types stay inside libs/kafka: callers name these, so a
 * client upgrade (or another client) changes one package.
 */
import type { KafkaClient } from './client';

/** A record read from a topic: key and value bytes, its offset and timestamp (ms, as text), headers. */
export interface KafkaRecord {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  timestamp: string;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined;
}

/** The idempotent producer `KafkaClient.producer()` gives. */
export type KafkaProducer = Awaited<ReturnType<KafkaClient['producer']>>;

/** The cluster admin `KafkaClient.admin()` gives. */
export type KafkaAdmin = Awaited<ReturnType<KafkaClient['admin']>>;
