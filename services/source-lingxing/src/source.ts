/** 领星 as a kit source: the declaration; wiring, config loading and the command line are the kit's. */
import { parseBeijingTime } from '@yecai/common';
import { defineSource } from '@yecai/connector-kit';
import { lingxingAccountSchema, resolveLingxingSecrets, type LingxingAccountConfig } from './config';
import { LINGXING_MASTER_STREAMS, LINGXING_STREAMS } from './streams';
import { LingxingTransport } from './transport';

export const lingxing = defineSource({
  system: 'lingxing',
  opsPort: 9467,
  maxWindowMinutes: 7 * 24 * 60,
  configEnv: 'YECAI_LINGXING_CONFIG',
  account: lingxingAccountSchema,
  streams: LINGXING_STREAMS,
  streamStartAtMs: (account: LingxingAccountConfig, index) => {
    const masterStartAtMs = parseBeijingTime(account.masterDataStartAt, `accounts.${index}.masterDataStartAt`);
    return Object.fromEntries(LINGXING_MASTER_STREAMS.map((name) => [name, masterStartAtMs]));
  },
  createTransport: (account: LingxingAccountConfig, index, logger) =>
    new LingxingTransport({
      baseUrl: account.baseUrl,
      appId: account.appId,
      ...resolveLingxingSecrets(account, index),
      timeoutMs: account.requestTimeoutMs,
      throttleBackoffMs: account.throttleBackoffMs,
      buckets: account.buckets,
      logger,
    }),
});
