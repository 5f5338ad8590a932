/**
 * The YonSuite sink process: `npx tsx services/sink-yonyou/src/main.ts`. Environment: SINK_CONFIG (YAML/JSON
 * file, see config.ts), KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI, MONGODB_DB, SINK_OPS_PORT.
 * Serves /healthz /readyz /metrics and the admin API under /admin.
 */
import { createLogger, createMetricsRegistry, errorMessage, parseWith, resolveAdminTokens, startOpsServer } from '@yecai/common';
import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { connectMongo } from '@yecai/store';
import { mountSinkAdmin } from '@yecai/sink-kit';
import { SinkEnvSchema, loadSinkConfigFile } from './config';
import { SinkService } from './service';

async function main(): Promise<void> {
  const logger = createLogger('sink-yonyou');
  const env = parseWith(SinkEnvSchema, process.env, 'sink-yonyou environment');
  const config = loadSinkConfigFile(env.SINK_CONFIG);
  const tokens = resolveAdminTokens(config.admin.tokens, 'admin.tokens');
  const mongo = await connectMongo(env.MONGODB_URI, { appName: 'sink-yonyou' });
  const kafka = new KafkaClient({ brokers: env.KAFKA_BROKERS.split(','), clientId: config.groupId, logger });
  const metricsRegistry = createMetricsRegistry('sink-yonyou');
  const service = new SinkService({ config, kafka, serde: new AvroSerde(env.SCHEMA_REGISTRY_URL), db: mongo.db(env.MONGODB_DB), metricsRegistry, logger });
  const ops = await startOpsServer({
    port: env.SINK_OPS_PORT,
    registry: metricsRegistry,
    isReady: () => service.isReady,
    mount: (app) => mountSinkAdmin(app, service, tokens, logger),
  });
  await service.start();
  logger.info({ topics: service.canonicalTopics(), opsPort: ops.port }, 'sink-yonyou started');
  process.stdout.write(`SINK_READY ops=${ops.port}\n`);
  const shutdown = async () => {
    await service.stop();
    await kafka.disconnect();
    await ops.close();
    await mongo.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((error) => {
  process.stderr.write(`sink-yonyou failed to start: ${errorMessage(error)}\n`);
  process.exit(1);
});
