/**
 * The 领星 sink (Kingdee → 领星 flows): the posting kit's service (@yecai/sink-kit) with the 领星 target adapter
 * (lingxing-target.ts), the one 领星 client (@yecai/source-lingxing's transport) built from `config.lingxing`, and its
 * collections under `sink_lingxing_*`.
 */
import { createLogger, resolveSecret, type Logger } from '@yecai/common';
import { PostingService, type SinkServiceBaseDeps } from '@yecai/sink-kit';
import { LingxingTransport } from '@yecai/source-lingxing';
import type { FlowConfig, SinkConfig } from './config';
import { LingxingTarget } from './lingxing-target';

export interface SinkServiceDeps extends SinkServiceBaseDeps<SinkConfig> {
  /** Defaults to a transport built from `config.lingxing`. */
  transport?: LingxingTransport;
}

export const LINGXING_COLLECTION_PREFIX = 'sink_lingxing';

export class SinkService extends PostingService<FlowConfig> {
  readonly transport: LingxingTransport;

  constructor(deps: SinkServiceDeps) {
    const logger = deps.logger ?? createLogger('sink-lingxing');
    const connection = deps.config.lingxing;
    const transport = deps.transport ?? createTransport(deps.config, logger);
    super({
      settings: deps.config,
      adapter: new LingxingTarget({ transport, account: connection.name }),
      kafka: deps.kafka,
      serde: deps.serde,
      db: deps.db,
      metricsRegistry: deps.metricsRegistry,
      collectionPrefix: LINGXING_COLLECTION_PREFIX,
      logger,
    });
    this.transport = transport;
  }
}

/** The one 领星 client of this sink, from `config.lingxing` (the secret resolved here, named on error). */
export function createTransport(config: SinkConfig, logger: Logger): LingxingTransport {
  const connection = config.lingxing;
  return new LingxingTransport({
    baseUrl: connection.baseUrl,
    appId: connection.appId,
    appSecret: resolveSecret(connection.appSecret, 'lingxing.appSecret'),
    timeoutMs: connection.requestTimeoutMs,
    throttleBackoffMs: connection.throttleBackoffMs,
    buckets: connection.buckets,
    logger,
  });
}
