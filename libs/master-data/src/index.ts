export * from './entities';
export * from './store';
export * from './import';
export * from './admin-api';
export * from './kingdee-pull';
export * from './lookup-cache';
export * from './columns';
export * from './spreadsheet';
