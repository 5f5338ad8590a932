export * from './endpoints';
export * from './kafka-helpers';
export * from './mongo-helpers';
