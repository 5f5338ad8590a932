export * from './server';
export * from './store';
export * from './generator';
export * from './signing';
export * from './protocol';
export * from './settlements';
export * from './tokens';
export * from './world';
