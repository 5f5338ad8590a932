/** 赛狐 as a kit source: the declaration; wiring, config loading and the command line are the kit's. */
import { parseBeijingTime } from '@yecai/common';
import { defineSource, type SourceConfig } from '@yecai/connector-kit';
import { saihuAccountSchema, resolveSaihuSecret, type SaihuAccountConfig } from './config';
import { SAIHU_MASTER_STREAMS, saihuStreams } from './streams';
import { SaihuTransport } from './transport';

export const saihu = defineSource({
  system: 'saihu',
  opsPort: 9466,
  maxWindowMinutes: 7 * 24 * 60,
  configEnv: 'YECAI_SAIHU_CONFIG',
  account: saihuAccountSchema,
  streams: (_group, overrides) => saihuStreams(overrides),
  streamStartAtMs: (account: SaihuAccountConfig, index) => {
    const masterStartAtMs = parseBeijingTime(account.masterDataStartAt, `accounts.${index}.masterDataStartAt`);
    return Object.fromEntries(SAIHU_MASTER_STREAMS.map((name) => [name, masterStartAtMs]));
  },
  createTransport: (account: SaihuAccountConfig, index, logger) =>
    new SaihuTransport({
      baseUrl: account.baseUrl,
      clientId: account.clientId,
      clientSecret: resolveSaihuSecret(account, index),
      signedUrlPrefix: account.signedUrlPrefix,
      settlementCurrency: account.settlementCurrency,
      settlementShopIds: account.settlementShopIds,
      timeoutMs: account.requestTimeoutMs,
      throttleBackoffMs: account.throttleBackoffMs,
      logger,
    }),
});

export type SaihuSourceConfig = SourceConfig<SaihuAccountConfig>;
