export * from './demo-world';
export * from './pipeline';
export * from './summary';
export * from './service-process';
export * from './targets';
