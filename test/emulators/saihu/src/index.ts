export * from './server';
export * from './store';
export * from './endpoints';
export * from './generator';
export * from './signing';
