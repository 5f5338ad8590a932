export * from './signing';
export * from './errors';
export * from './config';
export * from './client';
