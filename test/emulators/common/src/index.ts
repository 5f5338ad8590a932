export * from './admin';
export * from './calls';
export * from './cli';
export * from './faults';
export * from './generator';
export * from './http';
export * from './paging';
