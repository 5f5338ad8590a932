// One jest run for the whole monorepo. `unit` tests touch nothing outside the process;
// `integration` tests (*.int.test.ts) get a real Kafka, schema registry and MongoDB-wire server from the harness.
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } },
  ],
};
const roots = ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/schemas', '<rootDir>/test'];
const ignore = ['/node_modules/', '/.cache/'];

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      // In-process tests that ride out emulated timeouts and backoffs take seconds; on a loaded 2-core CI machine
      // jest's 5 s default failed them (source-jushuitan sync.test.ts), so they get room without any waiting on the clock.
      testTimeout: 30_000,
      roots,
      transform,
      testEnvironment: 'node',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: [...ignore, '\\.int\\.test\\.ts$'],
    },
    {
      displayName: 'integration',
      roots,
      transform,
      testEnvironment: 'node',
      testMatch: ['**/*.int.test.ts'],
      testPathIgnorePatterns: ignore,
      globalSetup: '<rootDir>/test/harness/src/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/src/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/harness/src/integration-setup.ts'],
    },
  ],
};
