/** Shared by the integration tests and the benchmark: a JST source wired to an emulator and a test broker. */
import type { KafkaClient } from '@yecai/kafka';
import type { RawDocument } from '@yecai/connector-kit';
import {
  exactlyOnceReport as versionsReport,
  readRawDocuments as readRawTopic,
} from '@yecai/connector-kit/src/conformance/raw';
import type { JstEmulator } from '@yecai/emulator-jushuitan';
import { jstSourceConfigSchema, type JstSourceConfig } from './source';

export const TEST_SECRET_ENV = {
  JST_TEST_APP_SECRET: 'sk_test',
  JST_TEST_ACCESS_TOKEN: 'at_test',
  JST_TEST_REFRESH_TOKEN: 'rt_test',
};

/** One account against the emulator: secrets as env: references (as in production), generous limits, short backoffs. */
export function testAccount(
  emulator: Pick<JstEmulator, 'url'>,
  account: { name: string; startAt: string; streams?: string[] | undefined },
): Record<string, unknown> {
  return {
    name: account.name,
    baseUrl: emulator.url,
    appKey: 'ak_test',
    appSecret: 'env:JST_TEST_APP_SECRET',
    accessToken: 'env:JST_TEST_ACCESS_TOKEN',
    refreshToken: 'env:JST_TEST_REFRESH_TOKEN',
    startAt: account.startAt,
    ...(account.streams ? { streams: account.streams } : {}),
    rateLimits: { perSecond: 1000, perMinute: 60_000 },
    throttleBackoff: { perSecondMs: 50, perMinuteMs: 200 },
    requestTimeoutMs: 3000,
  };
}

export function testConfig(
  emulator: JstEmulator,
  overrides: Partial<JstSourceConfig> & { streams?: string[]; startAt: string },
): JstSourceConfig {
  Object.assign(process.env, TEST_SECRET_ENV);
  const { streams, startAt, ...rest } = overrides;
  return jstSourceConfigSchema.parse({
    opsPort: 0,
    pollIntervalSeconds: 1,
    retry: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 },
    accounts: [testAccount(emulator, { name: 'acme', startAt, streams })],
    ...rest,
  });
}

/** Everything committed in a JST raw topic when called, decoded. */
export function readRawDocuments(
  kafka: KafkaClient,
  registryUrl: string,
  documentType: string,
): Promise<RawDocument[]> {
  return readRawTopic(kafka, registryUrl, 'jushuitan', documentType);
}

/** (id@modifiedMs) occurrences that are repeated, and current emulator versions that are missing. */
export function exactlyOnceReport(
  emulator: JstEmulator,
  type: Parameters<JstEmulator['store']['versions']>[0],
  documents: RawDocument[],
): { duplicates: string[]; missing: string[] } {
  return versionsReport(emulator.store.versions(type), documents);
}
