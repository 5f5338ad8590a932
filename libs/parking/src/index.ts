export * from './store';
export * from './admin-api';
export * from './filtered';
