export * from './endpoints';
export * from './kafka-helpers';
export * from './mongo-helpers';
export * from './service-process';
export * from './admin-routes';
export * from './canonical-producer';
