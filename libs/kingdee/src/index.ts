export * from './signing';
export * from './errors';
export * from './protocol';
export * from './config';
export * from './client';
export * from './models';
export * from './forms';
