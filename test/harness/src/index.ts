export * from './endpoints';
export * from './kafka-helpers';
export * from './mongo-helpers';
// The demo owns ServiceProcess (the main job starts the services with it); tests keep importing it from here.
export * from '@yecai/demo/src/service-process';
export * from './admin-routes';
