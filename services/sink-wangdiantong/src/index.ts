export * from './config';
export * from './wdt-target';
export * from './service';
