/**
 * The 用友 YonSuite sink: the posting kit's service (@yecai/sink-kit) with the YonSuite target adapter
 * (yonyou-target.ts), its client built from `config.yonyou`, and its collections under `sink_yonyou_*`.
 */
import { createLogger, type Logger } from '@yecai/common';
import type { AvroSerde, KafkaClient } from '@yecai/kafka';
import { PostingService } from '@yecai/sink-kit';
import { YonyouClient } from '@yecai/yonyou';
import type { Db } from 'mongodb';
import { Histogram, type Registry } from 'prom-client';
import type { FlowConfig, SinkConfig } from './config';
import { YonyouTarget } from './yonyou-target';

export interface SinkServiceDeps {
  config: SinkConfig;
  kafka: KafkaClient;
  serde: AvroSerde;
  db: Db;
  metricsRegistry: Registry;
  /** Defaults to a client built from `config.yonyou`. */
  client?: YonyouClient;
  logger?: Logger;
}

export const YONYOU_COLLECTION_PREFIX = 'sink_yonyou';

export class SinkService extends PostingService<FlowConfig> {
  readonly client: YonyouClient;

  constructor(deps: SinkServiceDeps) {
    const logger = deps.logger ?? createLogger('sink-yonyou');
    // Labels are API paths and outcome classes: bounded, never a document code or a token.
    const callSeconds = new Histogram({
      name: 'yecai_sink_yonyou_call_seconds',
      help: 'YonSuite HTTP call latency by API path and outcome (http_<status> or error kind)',
      labelNames: ['operation', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [deps.metricsRegistry],
    });
    const client =
      deps.client ??
      YonyouClient.fromConfig(
        deps.config.yonyou,
        {
          logger,
          onCall: ({ operation, durationMs, outcome }) =>
            callSeconds.observe({ operation, outcome }, durationMs / 1000),
        },
        'sink config yonyou',
      );
    const tenantId = String(deps.config.yonyou.tenantId);
    const adapter = new YonyouTarget({ client, tenantId });
    super({
      settings: deps.config,
      adapter,
      kafka: deps.kafka,
      serde: deps.serde,
      db: deps.db,
      metricsRegistry: deps.metricsRegistry,
      collectionPrefix: YONYOU_COLLECTION_PREFIX,
      logger,
    });
    this.client = client;
  }
}
