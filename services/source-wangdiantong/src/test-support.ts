/** Shared by the integration tests and the benchmark: a WDT source wired to the emulator and a test broker. */
import type { KafkaClient } from '@yecai/kafka';
import type { RawDocument } from '@yecai/connector-kit';
import { exactlyOnceReport, readRawDocuments as readRawTopic } from '@yecai/connector-kit/src/conformance/raw';
import {
  DEFAULT_QJB_ACCOUNT,
  DEFAULT_QYB_ACCOUNT,
  type WdtDocumentRef,
  type WdtDocumentType,
  type WdtEmulator,
} from '@yecai/emulator-wangdiantong';
import type { WdtEdition } from './config';
import { validateWdtConfig, type WdtSourceConfig } from './source';

/** Secrets reach the config only as env: references, as in production. */
export const TEST_SECRET_ENV = {
  WDT_TEST_QYB_SECRET: DEFAULT_QYB_ACCOUNT.appsecret,
  WDT_TEST_QJB_SECRET: `${DEFAULT_QJB_ACCOUNT.secret}:${DEFAULT_QJB_ACCOUNT.salt}`,
};

/** Our stream name → the emulator's document type. */
export const EMULATOR_TYPE: Record<string, WdtDocumentType> = {
  sales_outstock: 'sales_out',
  sales_return: 'refund_in',
  purchase_instock: 'purchase_in',
  purchase_return: 'purchase_return',
  other_instock: 'other_in',
  other_outstock: 'other_out',
  transfer: 'transfer',
  stock_count: 'stock_pd',
  assembly: 'assembly',
};

/** Versions a stream of an edition publishes: 旗舰版 sales out-stock asks for 110 已完成 only (streams.ts). */
export function publishedVersions(emulator: WdtEmulator, stream: string, edition: WdtEdition): WdtDocumentRef[] {
  const versions = emulator.store.versions(EMULATOR_TYPE[stream]!);
  return edition === 'qjb' && stream === 'sales_outstock' ? versions.filter((v) => v.status === 110) : versions;
}

export interface TestAccount {
  name: string;
  edition: WdtEdition;
  startAt: string;
  streams?: string[];
  masterDataStartAt?: string;
}

/** One emulator account per edition (the emulator serves both from one store). */
export function testAccount(emulator: Pick<WdtEmulator, 'url'>, account: TestAccount): Record<string, unknown> {
  const edition =
    account.edition === 'qyb'
      ? {
          baseUrl: `${emulator.url}/openapi2`,
          sid: DEFAULT_QYB_ACCOUNT.sid,
          appKey: DEFAULT_QYB_ACCOUNT.appkey,
          appSecret: 'env:WDT_TEST_QYB_SECRET',
        }
      : {
          baseUrl: `${emulator.url}/openapi`,
          sid: DEFAULT_QJB_ACCOUNT.sid,
          appKey: DEFAULT_QJB_ACCOUNT.key,
          appSecret: 'env:WDT_TEST_QJB_SECRET',
        };
  return {
    ...account,
    ...edition,
    rateLimits: { perSecond: 1000, perMinute: 60_000 },
    throttleBackoff: { perMinuteMs: 300, concurrencyMs: 50 },
    requestTimeoutMs: 3000,
  };
}

export function testConfig(
  emulator: WdtEmulator,
  accounts: TestAccount[],
  overrides: Partial<Record<keyof WdtSourceConfig, unknown>> = {},
): WdtSourceConfig {
  Object.assign(process.env, TEST_SECRET_ENV);
  return validateWdtConfig(
    {
      opsPort: 0,
      pollIntervalSeconds: 1,
      retry: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 },
      accounts: accounts.map((account) => testAccount(emulator, account)),
      ...overrides,
    },
    'test config',
  );
}

/** Everything committed in a WDT raw topic when called, decoded. */
export function readRawDocuments(kafka: KafkaClient, registryUrl: string, documentType: string): Promise<RawDocument[]> {
  return readRawTopic(kafka, registryUrl, 'wangdiantong', documentType);
}

export { exactlyOnceReport };
