/**
 * The Kingdee sink: the posting kit's service (@yecai/sink-kit) with the Kingdee target adapter (kingdee-target.ts),
 * its client built from `config.kingdee`, and its collections under `sink_kingdee_*`.
 */
import { createLogger, type Logger } from '@yecai/common';
import { KingdeeClient } from '@yecai/kingdee';
import type { AvroSerde, KafkaClient } from '@yecai/kafka';
import { PostingService } from '@yecai/sink-kit';
import type { Db } from 'mongodb';
import type { Registry } from 'prom-client';
import type { FlowConfig, SinkConfig } from './config';
import { KingdeeTarget } from './kingdee-target';
import { KingdeeMetrics } from './metrics';

export interface SinkServiceDeps {
  config: SinkConfig;
  kafka: KafkaClient;
  serde: AvroSerde;
  db: Db;
  metricsRegistry: Registry;
  /** Defaults to a client built from `config.kingdee`. */
  client?: KingdeeClient;
  logger?: Logger;
}

/** Collections of the Kingdee sink: `sink_kingdee_ledger`, `sink_kingdee_calls`, `sink_kingdee_flow_pauses`, … */
export const KINGDEE_COLLECTION_PREFIX = 'sink_kingdee';

export class SinkService extends PostingService<FlowConfig> {
  readonly client: KingdeeClient;
  readonly acctId: string;
  readonly kingdeeMetrics: KingdeeMetrics;

  constructor(deps: SinkServiceDeps) {
    const logger = deps.logger ?? createLogger('sink-kingdee');
    const metrics = new KingdeeMetrics(deps.metricsRegistry);
    let httpSeconds = 0;
    const client =
      deps.client ??
      KingdeeClient.fromConfig(
        deps.config.kingdee,
        {
          logger,
          onCall: ({ operation, durationMs, outcome }) => {
            httpSeconds += durationMs / 1000;
            metrics.kingdeeCallSeconds.observe({ operation, outcome }, durationMs / 1000);
          },
        },
        'sink config kingdee',
      );
    const acctId = String(deps.config.kingdee.acctId);
    const adapter = new KingdeeTarget({ client: SinkService.timed(client, metrics, () => httpSeconds), acctId, metrics });
    super({ settings: deps.config, adapter, kafka: deps.kafka, serde: deps.serde, db: deps.db, metricsRegistry: deps.metricsRegistry, collectionPrefix: KINGDEE_COLLECTION_PREFIX, logger });
    this.client = client;
    this.acctId = acctId;
    this.kingdeeMetrics = metrics;
  }

  /** The client the adapter uses, timing each operation so limiter waits and backoff show in metrics. */
  private static timed(client: KingdeeClient, metrics: KingdeeMetrics, httpSeconds: () => number): KingdeeClient {
    const addWait = (operation: string, seconds: number) => metrics.clientWaitSeconds.inc({ operation }, seconds);
    const timed = ['batchSave', 'submit', 'audit', 'unAudit', 'allocate', 'push', 'executeBillQuery'] as const;
    return new Proxy(client, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        // Bound to the client itself: its methods use ES-private fields, which a proxy as `this` cannot reach.
        if (!(timed as readonly (string | symbol)[]).includes(property)) return (value as (...a: unknown[]) => unknown).bind(target);
        return async (...args: unknown[]) => {
          const started = Date.now();
          const httpBefore = httpSeconds();
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            const waited = (Date.now() - started) / 1000 - (httpSeconds() - httpBefore);
            if (waited > 0) addWait(String(property), waited);
          }
        };
      },
    });
  }
}
