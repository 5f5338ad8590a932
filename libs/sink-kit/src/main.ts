/**
 * The process entry of a sink on the kit (`services/sink-<target>/src/main.ts` is one call of `runSinkMain`): reads
 * the environment, the config file, connects MongoDB and Kafka, starts the service with the ops server and the admin
 * API, prints `SINK_READY ops=<port>` for process supervisors and tests, and stops cleanly on SIGTERM / SIGINT.
 */
import {
  createLogger,
  createMetricsRegistry,
  runServiceProcess,
  parseWith,
  resolveAdminTokens,
  startOpsServer,
  type AdminTokenEntry,
  type Logger,
} from '@yecai/common';
import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { connectMongo } from '@yecai/store';
import type { Db } from 'mongodb';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { mountSinkAdmin } from './admin-api';
import type { KitFlow } from './config';
import type { PostingService } from './service';

/** Process environment of a sink service (env names are the documentation). */
export function sinkEnvSchema(defaultOpsPort: number) {
  return z.object({
    SINK_CONFIG: z.string().min(1, 'required: path of the sink config file (YAML or JSON)'),
    KAFKA_BROKERS: z.string().min(1, 'required, e.g. 127.0.0.1:9092'),
    SCHEMA_REGISTRY_URL: z.url(),
    MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI'),
    MONGODB_DB: z.string().min(1).default('yecai'),
    SINK_OPS_PORT: z.coerce.number().int().min(0).max(65535).default(defaultOpsPort),
  });
}

export interface SinkMainOptions<
  C extends { groupId: string; admin: { tokens: AdminTokenEntry[] } },
  F extends KitFlow,
> {
  /** Process name: logger, metrics prefix, Mongo app name (`sink-yonyou`). */
  name: string;
  defaultOpsPort: number;
  loadConfig(path: string): C;
  createService(deps: SinkServiceBaseDeps<C> & { logger: Logger }): PostingService<F>;
}

/** What a posting sink's service is built from: runSinkMain gives it, tests build it themselves. */
export interface SinkServiceBaseDeps<C> {
  config: C;
  kafka: KafkaClient;
  serde: AvroSerde;
  db: Db;
  metricsRegistry: Registry;
  logger?: Logger;
}

export function runSinkMain<C extends { groupId: string; admin: { tokens: AdminTokenEntry[] } }, F extends KitFlow>(
  options: SinkMainOptions<C, F>,
): void {
  const start = async () => {
    const logger = createLogger(options.name);
    const env = parseWith(sinkEnvSchema(options.defaultOpsPort), process.env, `${options.name} environment`);
    const config = options.loadConfig(env.SINK_CONFIG);
    const tokens = resolveAdminTokens(config.admin.tokens, 'admin.tokens');
    const mongo = await connectMongo(env.MONGODB_URI, { appName: options.name });
    const kafka = new KafkaClient({ brokers: env.KAFKA_BROKERS.split(','), clientId: config.groupId, logger });
    const metricsRegistry = createMetricsRegistry(options.name);
    const service = options.createService({
      config,
      kafka,
      serde: new AvroSerde(env.SCHEMA_REGISTRY_URL),
      db: mongo.db(env.MONGODB_DB),
      metricsRegistry,
      logger,
    });
    const ops = await startOpsServer({
      port: env.SINK_OPS_PORT,
      registry: metricsRegistry,
      isReady: () => service.isReady,
      mount: (app) => mountSinkAdmin(app, service, tokens, logger),
    });
    await service.start();
    logger.info({ topics: service.canonicalTopics(), opsPort: ops.port }, `${options.name} started`);
    process.stdout.write(`SINK_READY ops=${ops.port}\n`);
    return [() => service.stop(), () => kafka.disconnect(), () => ops.close(), () => mongo.close()];
  };
  runServiceProcess(options.name, start);
}
