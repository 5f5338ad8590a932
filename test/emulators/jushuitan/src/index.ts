export * from './endpoints';
export * from './generator';
export * from './store';
export * from './server';
export * from './samples';
export * from './signature';
export * from './goods';
