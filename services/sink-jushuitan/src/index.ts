export * from './config';
export * from './jst-target';
export * from './service';
