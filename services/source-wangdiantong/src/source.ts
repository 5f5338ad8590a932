/**
 * 旺店通 as a kit source, 企业版 and 旗舰版 chosen per account: one runtime group per edition (each edition has
 * its own endpoints, windows and time formats); wiring, config loading and the command line are the kit's.
 */
import { parseBeijingTime } from '@yecai/common';
import { defineSource, type SourceConfig } from '@yecai/connector-kit';
import { resolveWdtCredentials, wdtAccountSchema, type WdtAccountConfig, type WdtEdition } from './config';
import { WDT_MASTER_STREAMS, wdtStreams } from './streams';
import { WangdiantongTransport } from './transport';

export const wangdiantong = defineSource({
  system: 'wangdiantong',
  opsPort: 9465,
  // windowMinutes is capped per stream at the API's limit for the editions in use (旗舰版 sales out-stock: 60).
  maxWindowMinutes: 30 * 24 * 60,
  configEnv: 'YECAI_WDT_CONFIG',
  account: wdtAccountSchema,
  group: (account: WdtAccountConfig) => account.edition,
  groups: ['qyb', 'qjb'] satisfies WdtEdition[],
  streams: (edition, overrides) => wdtStreams({ edition: edition as WdtEdition, ...overrides }),
  streamStartAtMs: (account: WdtAccountConfig, index) => {
    const masterStartAtMs = parseBeijingTime(account.masterDataStartAt, `accounts.${index}.masterDataStartAt`);
    return Object.fromEntries(WDT_MASTER_STREAMS.map((name) => [name, masterStartAtMs]));
  },
  logLabels: (account: WdtAccountConfig) => ({ edition: account.edition }),
  createTransport: (account: WdtAccountConfig, index, logger) =>
    new WangdiantongTransport({
      credentials: resolveWdtCredentials(account, index),
      baseUrl: account.baseUrl,
      timeoutMs: account.requestTimeoutMs,
      throttleBackoff: account.throttleBackoff,
      logger,
    }),
});

export type WdtSourceConfig = SourceConfig<WdtAccountConfig>;
export const wdtSourceConfigSchema = wangdiantong.configSchema;
export const loadWdtConfig = wangdiantong.loadConfig;
export const validateWdtConfig = wangdiantong.validateConfig;
export const createWdtService = wangdiantong.createService;
export const createWdtTransports = wangdiantong.createTransports;
