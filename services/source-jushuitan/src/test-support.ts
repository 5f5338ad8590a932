/** Shared by the integration tests and the benchmark: a JST source wired to an emulator and a test broker. */
import { AvroSerde, KafkaClient, topics } from '@yecai/kafka';
import { readCheckpoints, readTopicsToEnd, type RawDocument, type StreamCheckpoint } from '@yecai/connector-kit';
import type { JstEmulator } from '@yecai/emulator-jushuitan';
import { jstSourceConfigSchema, type JstSourceConfig } from './config';

export const TEST_SECRET_ENV = {
  JST_TEST_APP_SECRET: 'sk_test',
  JST_TEST_ACCESS_TOKEN: 'at_test',
  JST_TEST_REFRESH_TOKEN: 'rt_test',
};

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
    accounts: [
      {
        name: 'acme',
        baseUrl: emulator.url,
        appKey: 'ak_test',
        appSecret: 'env:JST_TEST_APP_SECRET',
        accessToken: 'env:JST_TEST_ACCESS_TOKEN',
        refreshToken: 'env:JST_TEST_REFRESH_TOKEN',
        startAt,
        ...(streams ? { streams } : {}),
        rateLimits: { perSecond: 1000, perMinute: 60_000 },
        throttleBackoff: { perSecondMs: 50, perMinuteMs: 200 },
        requestTimeoutMs: 3000,
      },
    ],
    ...rest,
  });
}

/** Everything committed in a raw topic, decoded. */
/** Everything committed in a raw topic when called (a snapshot read to the last stable offsets), decoded. */
export async function readRawDocuments(
  kafka: KafkaClient,
  registryUrl: string,
  documentType: string,
): Promise<RawDocument[]> {
  const serde = new AvroSerde(registryUrl);
  const values: Buffer[] = [];
  await readTopicsToEnd(kafka, [topics.raw('jushuitan', documentType)], (_topic, _partition, message) =>
    values.push(message.value!),
  );
  return Promise.all(values.map((value) => serde.decode<RawDocument>(value)));
}

export async function committedCheckpoints(
  kafka: KafkaClient,
  service = 'source_jushuitan',
): Promise<Map<string, StreamCheckpoint>> {
  return readCheckpoints(kafka, topics.checkpoint(service), { timeoutMs: 30_000 });
}

/** (id@modifiedMs) occurrences that are repeated, and current emulator versions that are missing. */
export function exactlyOnceReport(
  emulator: JstEmulator,
  type: Parameters<JstEmulator['store']['versions']>[0],
  documents: RawDocument[],
): { duplicates: string[]; missing: string[] } {
  const counts = new Map<string, number>();
  for (const document of documents) {
    const key = `${document.sourceId}@${Number(document.sourceModifiedAt)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
  const missing = emulator.store
    .versions(type)
    .map((v) => `${v.id}@${v.modifiedMs}`)
    .filter((key) => !counts.has(key));
  return { duplicates, missing };
}
