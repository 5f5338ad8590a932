export * from './app';
export * from './audit';
export * from './config';
export * from './exceptions';
export * from './passwords';
export * from './session';
export * from './upstream';
