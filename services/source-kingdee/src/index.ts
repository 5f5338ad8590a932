export * from './forms';
export * from './transport';
export * from './streams';
export * from './config';
export * from './source';
