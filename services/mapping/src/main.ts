/**
 * The mapping service process: `npx tsx services/mapping/src/main.ts` (configuration from the environment,
 * see config.ts). Serves /healthz /readyz /metrics plus the master-data and parked-document admin API (bearer
 * tokens from MAPPING_ADMIN_TOKENS).
 */
import { createLogger, createMetricsRegistry, resolveAdminTokens, runServiceProcess, startOpsServer } from '@yecai/common';
import { KafkaClient } from '@yecai/kafka';
import { connectMongo } from '@yecai/store';
import { loadMappingConfig } from './config';
import { loadRules } from './rules/load-rules';
import { MappingService } from './service';

async function main(): Promise<ReadonlyArray<() => Promise<unknown>>> {
  const logger = createLogger('mapping');
  const config = loadMappingConfig();
  const adminTokens = resolveAdminTokens(config.MAPPING_ADMIN_TOKENS, 'MAPPING_ADMIN_TOKENS');
  const rules = config.MAPPING_RULES_DIR ? loadRules(config.MAPPING_RULES_DIR) : loadRules();
  const mongo = await connectMongo(config.MONGODB_URI, { appName: 'mapping' });
  const kafka = new KafkaClient({ brokers: config.KAFKA_BROKERS.split(','), clientId: config.MAPPING_GROUP_ID, logger });
  const metricsRegistry = createMetricsRegistry('mapping');
  const service = new MappingService({
    kafka,
    registryUrl: config.SCHEMA_REGISTRY_URL,
    db: mongo.db(config.MONGODB_DB),
    rules,
    metricsRegistry,
    groupId: config.MAPPING_GROUP_ID,
    numPartitions: config.MAPPING_PARTITIONS,
    maxChunkSize: config.MAPPING_CHUNK_SIZE,
    partitionsConsumedConcurrently: config.MAPPING_CONCURRENCY,
    transformWorkers: config.MAPPING_TRANSFORM_WORKERS,
    mongodbUri: config.MONGODB_URI,
    maxStalenessMs: config.MAPPING_MAX_STALENESS_MS,
    sessionTimeoutMs: config.MAPPING_SESSION_TIMEOUT_MS,
    reprocessIntervalMs: config.MAPPING_REPROCESS_INTERVAL_MS,
    sameCodeFallback: config.MAPPING_SAME_CODE_FALLBACK,
    financeTarget: config.MAPPING_FINANCE_TARGET,
    logger,
  });
  const ops = await startOpsServer({
    port: config.MAPPING_OPS_PORT,
    registry: metricsRegistry,
    isReady: () => service.isReady,
    mount: (app) => service.mountAdmin(app, adminTokens),
  });
  await service.start();
  logger.info({ rules: rules.map((rule) => rule.rule.flow), rawTopics: service.rawTopics(), opsPort: ops.port }, 'mapping service started');
  return [() => service.stop(), () => kafka.disconnect(), () => ops.close(), () => mongo.close()];
}

runServiceProcess('mapping service', main);
