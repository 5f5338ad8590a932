export * from './topics';
export * from './topic-settings';
export * from './client';
export * from './avro';
export * from './records';
export * from './transactional-processor';
export * from './partitioner';
export * from './outcome-consumer';
