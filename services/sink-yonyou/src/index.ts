export * from './config';
export * from './form-maps';
export * from './yonyou-target';
export * from './service';
