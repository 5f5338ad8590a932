export * from './config';
export * from './lingxing-target';
export * from './service';
