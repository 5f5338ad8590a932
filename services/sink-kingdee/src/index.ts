export * from '@yecai/sink-kit';
export * from './config';
export * from './convert';
export * from './master-data';
export * from './metrics';
export * from './kingdee-target';
export * from './service';
export { Ledger } from './ledger';
