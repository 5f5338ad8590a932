export * from './connect';
export * from './insert-only';
