/**
 * The 聚水潭 sink (Kingdee → JST flows): the posting kit's service (@yecai/sink-kit) with the JST target adapter
 * (jst-target.ts), the one JST client (@yecai/source-jushuitan's transport) built from `config.jushuitan`, and its
 * collections under `sink_jushuitan_*`.
 */
import { createLogger, resolveSecret, type Logger } from '@yecai/common';
import { PostingService, type SinkServiceBaseDeps } from '@yecai/sink-kit';
import { JushuitanTransport, fileTokenStore } from '@yecai/source-jushuitan';
import type { FlowConfig, SinkConfig } from './config';
import { JstTarget } from './jst-target';

export interface SinkServiceDeps extends SinkServiceBaseDeps<SinkConfig> {
  /** Defaults to a transport built from `config.jushuitan`. */
  transport?: JushuitanTransport;
}

export const JST_COLLECTION_PREFIX = 'sink_jushuitan';

export class SinkService extends PostingService<FlowConfig> {
  readonly transport: JushuitanTransport;

  constructor(deps: SinkServiceDeps) {
    const logger = deps.logger ?? createLogger('sink-jushuitan');
    const connection = deps.config.jushuitan;
    const transport = deps.transport ?? createTransport(deps.config, logger);
    super({
      settings: deps.config,
      adapter: new JstTarget({ transport, account: connection.name }),
      kafka: deps.kafka,
      serde: deps.serde,
      db: deps.db,
      metricsRegistry: deps.metricsRegistry,
      collectionPrefix: JST_COLLECTION_PREFIX,
      logger,
    });
    this.transport = transport;
  }
}

function createTransport(config: SinkConfig, logger: Logger): JushuitanTransport {
  const connection = config.jushuitan;
  return new JushuitanTransport({
    baseUrl: connection.baseUrl,
    appKey: connection.appKey,
    appSecret: resolveSecret(connection.appSecret, 'jushuitan.appSecret'),
    tokens: {
      accessToken: resolveSecret(connection.accessToken, 'jushuitan.accessToken'),
      ...(connection.refreshToken ? { refreshToken: resolveSecret(connection.refreshToken, 'jushuitan.refreshToken') } : {}),
    },
    ...(connection.tokenFile ? { tokenStore: fileTokenStore(connection.tokenFile) } : {}),
    timeoutMs: connection.requestTimeoutMs,
    throttleBackoff: connection.throttleBackoff,
    logger,
  });
}
