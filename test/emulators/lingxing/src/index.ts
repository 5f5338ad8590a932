export * from './server';
export * from './store';
export * from './generator';
export * from './signing';
