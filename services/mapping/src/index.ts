export * from './service';
export * from './config';
export * from './rules/engine';
export * from './rules/load-rules';
export * from './rules/rule-schema';
