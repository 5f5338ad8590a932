/**
 * The reconciliation service process: `npx tsx services/reconcile/src/main.ts`. Environment: RECONCILE_CONFIG (YAML/JSON
 * file, see config.ts), KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI, MONGODB_DB, RECONCILE_OPS_PORT.
 * Serves /healthz /readyz /metrics and the admin API under /admin; runs the daily schedule when configured.
 */
import {
  createLogger,
  createMetricsRegistry,
  runServiceProcess,
  parseWith,
  resolveAdminTokens,
  startOpsServer,
} from '@yecai/common';
import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { KingdeeClient } from '@yecai/kingdee';
import { connectMongo } from '@yecai/store';
import { YonyouClient } from '@yecai/yonyou';
import { mountReconcileAdmin } from './admin-api';
import { ReconcileEnvSchema, loadReconcileConfigFile } from './config';
import { ReconcileService } from './service';

async function main(): Promise<ReadonlyArray<() => Promise<unknown>>> {
  const logger = createLogger('reconcile');
  const env = parseWith(ReconcileEnvSchema, process.env, 'reconcile environment');
  const config = loadReconcileConfigFile(env.RECONCILE_CONFIG);
  const tokens = resolveAdminTokens(config.admin.tokens, 'admin.tokens');
  const mongo = await connectMongo(env.MONGODB_URI, { appName: 'reconcile' });
  const kafka = new KafkaClient({ brokers: env.KAFKA_BROKERS.split(','), clientId: config.groupId, logger });
  const metricsRegistry = createMetricsRegistry('reconcile');
  // One finance system per deployment: the config names Kingdee or YonSuite (config.ts refuses both or neither).
  const finance = config.yonyou
    ? { yonyou: YonyouClient.fromConfig(config.yonyou, {}, `${env.RECONCILE_CONFIG} yonyou`) }
    : { kingdee: KingdeeClient.fromConfig(config.kingdee, {}, `${env.RECONCILE_CONFIG} kingdee`) };
  const service = new ReconcileService({
    config,
    db: mongo.db(env.MONGODB_DB),
    kafka,
    serde: new AvroSerde(env.SCHEMA_REGISTRY_URL),
    ...finance,
    metricsRegistry,
    logger,
  });
  const ops = await startOpsServer({
    port: env.RECONCILE_OPS_PORT,
    registry: metricsRegistry,
    isReady: () => true,
    mount: (app) => mountReconcileAdmin(app, service, tokens, logger),
  });
  service.startSchedule();
  logger.info({ opsPort: ops.port, dailyAt: config.schedule.dailyAt ?? null }, 'reconcile started');
  return [() => service.stop(), () => kafka.disconnect(), () => ops.close(), () => mongo.close()];
}

runServiceProcess('reconcile', main);
