export * from './topics';
export * from './topic-settings';
export * from './client';
export * from './avro';
export type { Consumer, Producer, Admin, Transaction, EachBatchPayload, EachMessagePayload, KafkaMessage, Message } from 'kafkajs';
export * from './transactional-processor';
export * from './partitioner';
