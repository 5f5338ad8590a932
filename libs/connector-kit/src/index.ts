export * from './stream';
export * from './transport';
export * from './json';
export * from './rate-limit';
export * from './checkpoint';
export * from './events';
export * from './stream-sync';
