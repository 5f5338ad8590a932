export * from './config';
export * from './convert';
export * from './master-data';
export * from './ledger';
export * from './metrics';
export * from './poster';
export * from './service';
export * from './admin-api';
