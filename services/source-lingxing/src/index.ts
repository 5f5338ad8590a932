export * from './signing';
export * from './buckets';
export * from './transport';
export * from './streams';
export * from './config';
export * from './source';
