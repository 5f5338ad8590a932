// Test-only entry (jest globals, the harness): import from '@yecai/connector-kit/src/conformance' in test files.
export * from './raw';
export * from './spec';
export * from './suite';
