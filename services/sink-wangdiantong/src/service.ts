/**
 * The 旺店通 sink (Kingdee → WDT flows): the posting kit's service (@yecai/sink-kit) with the WDT target adapter
 * (wdt-target.ts), the one WDT client (@yecai/source-wangdiantong's transport) built from `config.wangdiantong`, and
 * its collections under `sink_wangdiantong_*`.
 */
import { createLogger, resolveSecret, type Logger } from '@yecai/common';
import type { AvroSerde, KafkaClient } from '@yecai/kafka';
import { PostingService } from '@yecai/sink-kit';
import { WangdiantongTransport } from '@yecai/source-wangdiantong';
import type { Db } from 'mongodb';
import type { Registry } from 'prom-client';
import type { FlowConfig, SinkConfig } from './config';
import { WdtTarget } from './wdt-target';

export interface SinkServiceDeps {
  config: SinkConfig;
  kafka: KafkaClient;
  serde: AvroSerde;
  db: Db;
  metricsRegistry: Registry;
  /** Defaults to a transport built from `config.wangdiantong`. */
  transport?: WangdiantongTransport;
  logger?: Logger;
}

export const WDT_COLLECTION_PREFIX = 'sink_wangdiantong';

export class SinkService extends PostingService<FlowConfig> {
  readonly transport: WangdiantongTransport;

  constructor(deps: SinkServiceDeps) {
    const logger = deps.logger ?? createLogger('sink-wangdiantong');
    const connection = deps.config.wangdiantong;
    const transport =
      deps.transport ??
      new WangdiantongTransport({
        credentials: {
          edition: 'qyb',
          sid: connection.sid,
          appKey: connection.appKey,
          appSecret: resolveSecret(connection.appSecret, 'wangdiantong.appSecret'),
        },
        baseUrl: connection.baseUrl,
        timeoutMs: connection.requestTimeoutMs,
        logger,
      });
    super({
      settings: deps.config,
      adapter: new WdtTarget({ transport, sid: connection.sid }),
      kafka: deps.kafka,
      serde: deps.serde,
      db: deps.db,
      metricsRegistry: deps.metricsRegistry,
      collectionPrefix: WDT_COLLECTION_PREFIX,
      logger,
    });
    this.transport = transport;
  }
}
