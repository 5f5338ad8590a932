export * from './store';
export * from './admin-api';
