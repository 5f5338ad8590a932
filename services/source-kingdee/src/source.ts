/** 金蝶 as a kit source: the declaration; wiring, config loading and the command line are the kit's. */
import { parseBeijingTime } from '@yecai/common';
import { defineSource, type SourceConfig } from '@yecai/connector-kit';
import { kingdeeAccountSchema, resolveKingdeeAccountConnection, type KingdeeAccountConfig } from './config';
import { KINGDEE_MASTER_STREAMS, KINGDEE_STREAMS } from './streams';
import { KingdeeTransport } from './transport';

export const kingdee = defineSource({
  system: 'kingdee',
  opsPort: 9468,
  maxWindowMinutes: 7 * 24 * 60,
  configEnv: 'YECAI_KINGDEE_CONFIG',
  account: kingdeeAccountSchema,
  streams: KINGDEE_STREAMS,
  streamStartAtMs: (account: KingdeeAccountConfig, index) => {
    const masterStartAtMs = parseBeijingTime(account.masterDataStartAt, `accounts.${index}.masterDataStartAt`);
    return Object.fromEntries(KINGDEE_MASTER_STREAMS.map((name) => [name, masterStartAtMs]));
  },
  createTransport: (account: KingdeeAccountConfig, index, logger) =>
    new KingdeeTransport({
      connection: resolveKingdeeAccountConnection(account, index),
      throttleBackoffMs: account.throttleBackoffMs,
      logger,
    }),
});

export type KingdeeSourceConfig = SourceConfig<KingdeeAccountConfig>;
