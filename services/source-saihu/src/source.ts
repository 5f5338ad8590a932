/** 赛狐 as a kit source: the declaration; wiring, config loading and the command line are the kit's. */
import { defineSource } from '@yecai/connector-kit';
import { saihuAccountSchema, resolveSaihuSecrets, type SaihuAccountConfig } from './config';
import { SAIHU_STREAMS } from './streams';
import { SaihuTransport } from './transport';

export const saihu = defineSource({
  system: 'saihu',
  opsPort: 9466,
  maxWindowMinutes: 7 * 24 * 60,
  configEnv: 'YECAI_SAIHU_CONFIG',
  account: saihuAccountSchema,
  streams: SAIHU_STREAMS,
  createTransport: (account: SaihuAccountConfig, index, logger) =>
    new SaihuTransport({
      baseUrl: account.baseUrl,
      appKey: account.appKey,
      ...resolveSaihuSecrets(account, index),
      timeoutMs: account.requestTimeoutMs,
      throttleBackoffMs: account.throttleBackoffMs,
      logger,
    }),
});
