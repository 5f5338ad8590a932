export * from './errors';
export * from './retry';
export * from './logger';
export * from './money';
export * from './config';
export * from './ops-server';
export * from './net';
export * from './beijing-time';
