/** 聚水潭 as a kit source: the declaration; wiring, config loading and the command line are the kit's. */
import { defineSource, type SourceConfig } from '@yecai/connector-kit';
import { fileTokenStore, jstAccountSchema, resolveAccountSecrets, type JstAccountConfig } from './config';
import { JST_STREAMS } from './streams';
import { JushuitanTransport } from './transport';

export const jushuitan = defineSource({
  system: 'jushuitan',
  opsPort: 9464,
  maxWindowMinutes: 7 * 24 * 60,
  configEnv: 'YECAI_JST_CONFIG',
  account: jstAccountSchema,
  streams: JST_STREAMS,
  createTransport: (account: JstAccountConfig, index, logger) => {
    const secrets = resolveAccountSecrets(account, index);
    return new JushuitanTransport({
      baseUrl: account.baseUrl,
      appKey: account.appKey,
      appSecret: secrets.appSecret,
      tokens: secrets.tokens,
      ...(account.tokenFile ? { tokenStore: fileTokenStore(account.tokenFile) } : {}),
      timeoutMs: account.requestTimeoutMs,
      throttleBackoff: account.throttleBackoff,
      logger,
    });
  },
});

export type JstSourceConfig = SourceConfig<JstAccountConfig>;
export const jstSourceConfigSchema = jushuitan.configSchema;
export const loadJstConfig = jushuitan.loadConfig;
export const createJstService = jushuitan.createService;
export const createJstTransports = jushuitan.createTransports;
