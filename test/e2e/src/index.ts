export * from './demo-world';
export * from './pipeline';
export * from './summary';
export * from './own-stack';
export * from './wdt-world';
export * from './wdt-pipeline';
