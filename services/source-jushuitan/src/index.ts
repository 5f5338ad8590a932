export * from './signing';
export * from './transport';
export * from './streams';
