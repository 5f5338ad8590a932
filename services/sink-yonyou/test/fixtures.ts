/**
 * The YonSuite sink under test: the emulator, a config against it, and an in-process service over the harness's real
 * Kafka, schema registry and MongoDB-wire server. Canonical events are sink-kingdee's fixtures (the same events both
 * sinks consume).
 */
import { createMetricsRegistry } from '@yecai/common';
import {
  EMULATOR_CREDENTIALS,
  startYonyouEmulator,
  type YonyouEmulator,
  type YonyouEmulatorOptions,
} from '@yecai/emulator-yonyou';
import { seedReceivable as seedEmulatorReceivable } from '@yecai/emulator-yonyou/test/efi-documents';
import { AvroSerde } from '@yecai/kafka';
import type { LedgerEntry, LedgerState } from '@yecai/sink-kit';
import { canonicalProducer, testEndpoints, testKafka, testMongo, waitFor } from '@yecai/test-harness';
import { YonyouClient } from '@yecai/yonyou';
import { parseSinkConfig, type SinkConfigInput } from '../src/config';
import { SinkService } from '../src/service';

export { canonical } from '@yecai/sink-kingdee/test/fixtures';

process.env.SINK_TEST_YONYOU_SECRET = EMULATOR_CREDENTIALS.appSecret;

export function startEmulator(options: YonyouEmulatorOptions = {}): Promise<YonyouEmulator> {
  YonyouClient.clearGatewayCache();
  return startYonyouEmulator({ port: 0, ...options });
}

/** YonSuite connection to the emulator: the real 60/min per API, a small retry budget so tests see level 3 quickly. */
export function yonyouConfig(
  emulator: { url: string },
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name: 'test-yonyou',
    tenantId: EMULATOR_CREDENTIALS.tenantId,
    appKey: EMULATOR_CREDENTIALS.appKey,
    appSecret: 'env:SINK_TEST_YONYOU_SECRET',
    lookupUrl: emulator.url,
    retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 200 },
    timeoutMs: 3000,
    limits: { callsPerMinute: 60, throttledPauseMs: 300 },
    inProgressDelayMs: 300,
    ...overrides,
  };
}

export type SinkOverrides = Partial<Omit<SinkConfigInput, 'yonyou'>> & { yonyou?: Record<string, unknown> };

export function sinkConfigFor(emulator: YonyouEmulator, overrides: SinkOverrides = {}): SinkConfigInput {
  const { yonyou, ...rest } = overrides;
  return {
    yonyou: yonyouConfig(emulator, yonyou ?? {}),
    flows: [{ documentType: 'sales_outstock', currencyCodes: { RMB: 'CNY' } }],
    groupId: `sink-yonyou-test-${Math.random().toString(16).slice(2, 10)}`,
    batchSize: 5,
    level2RetryDelaysMs: [60_000],
    probeIntervalMs: 500,
    schedulerIntervalMs: 300,
    ...rest,
  };
}

/** Documents of `kind` on the emulator whose business key (code, EFI extVouchCode, voucher businessId) starts with `prefix`, counted per key. */
export function documentCounts(emulator: YonyouEmulator, kind: string, prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  // Vouchers live in the emulator's ledger, keyed by businessId; documents in its state.
  const keys =
    kind === 'voucher'
      ? emulator.vouchers.all().map((voucher) => String(voucher.body.businessId))
      : emulator.state.documentsOf(kind).map((document) => emulator.state.businessKey(document));
  for (const key of keys) if (key.startsWith(prefix)) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** The fee settlement flow against the emulator tenant's 账簿, 凭证类型, maker and clearing account. */
export const VOUCHER_FLOW = {
  documentType: 'fee_settlement',
  accbook: 'A001',
  voucherType: '01',
  maker: '13800000000',
  clearingAccount: '1012.05',
} as const;

/** An EFI 应收单 on the emulator as the receivable flow posts it (audited unless said): see seedReceivable. */
export function seedReceivable(
  emulator: YonyouEmulator,
  key: string,
  options: Parameters<typeof seedEmulatorReceivable>[2] = {},
): string {
  return seedEmulatorReceivable(emulator.state, key, options);
}

/** The receivable's write-off columns as the emulator's list and detail show them. */
export function writeOffOf(emulator: YonyouEmulator, key: string): { written: unknown; balance: unknown } {
  const receivable = emulator.state.documentsOf('receivable').find((one) => one.header.extVouchCode === key);
  if (!receivable) throw new Error(`no receivable ${key} on the emulator`);
  const view = emulator.state.view(receivable);
  return { written: view.oriWriteOffAmount, balance: view.oriBalance };
}

/** The receipt flow against the emulator tenant (its 收款 type, 结算方式 and 企业银行账号). */
export const RECEIPT_FLOW = {
  documentType: 'receipt',
  bustype: 'ar_colsale',
  settleMode: 'system_0001',
  enterpriseBankAccount: '6222000000000001',
} as const;

export interface RunningSink {
  service: SinkService;
  produce(documentType: string, events: Record<string, unknown>[]): Promise<void>;
  waitForStates(
    expected: Partial<Record<LedgerState, number>>,
    what: string,
    timeoutMs?: number,
  ): Promise<LedgerEntry[]>;
  stop(): Promise<void>;
}

export async function startSink(emulator: YonyouEmulator, overrides: SinkOverrides = {}): Promise<RunningSink> {
  const kafka = testKafka();
  const mongo = await testMongo('sink-yonyou');
  const serde = new AvroSerde(testEndpoints().schemaRegistryUrl);
  const service = new SinkService({
    config: parseSinkConfig(sinkConfigFor(emulator, overrides), 'test sink config'),
    kafka,
    serde,
    db: mongo.db,
    metricsRegistry: createMetricsRegistry('sink-yonyou-test'),
  });
  await service.start();
  const produce = canonicalProducer(kafka, serde);
  return {
    service,
    produce: (documentType, events) => produce(documentType as never, events),
    async waitForStates(expected, what, timeoutMs = 90_000) {
      let entries: LedgerEntry[] = [];
      await waitFor(
        async () => {
          entries = await service.ledger.current();
          return Object.entries(expected).every(
            ([state, count]) => entries.filter((entry) => entry.state === state).length === count,
          );
        },
        what,
        timeoutMs,
      ).catch((error: Error) => {
        throw new Error(
          `${error.message}\nledger now:\n${entries.map((entry) => `${entry.billNo}:${entry.state}:${entry.stage}:${entry.problem?.message ?? ''}`).join('\n')}`,
        );
      });
      return entries;
    },
    async stop() {
      await service.stop();
      await kafka.disconnect();
      await mongo.close();
    },
  };
}
