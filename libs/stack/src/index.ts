export * from './prerequisites';
export * from './install';
export * from './stack';
export * from './paths';
export * from './alerting';
