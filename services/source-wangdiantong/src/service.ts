import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { ValidationError, createLogger, createMetricsRegistry, parseBeijingTime, type Logger } from '@yecai/common';
import { SourceRuntime } from '@yecai/connector-kit';
import { resolveWdtCredentials, type WdtSourceConfig } from './config';
import { WDT_MASTER_STREAMS, wdtStreams } from './streams';
import { WangdiantongTransport } from './transport';

export interface WdtService {
  runtime: SourceRuntime;
  transports: Map<string, WangdiantongTransport>;
  kafka: KafkaClient;
  metrics: ReturnType<typeof createMetricsRegistry>;
  close(): Promise<void>;
}

/** Wires config → transports → kit runtime. No Kafka I/O happens until runtime.start()/runOnce()/backfill(). */
export function createWdtService(config: WdtSourceConfig, logger: Logger = createLogger(config.service)): WdtService {
  const brokers = config.kafkaBrokers ?? process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  if (!brokers?.length)
    throw new ValidationError('config: kafkaBrokers is missing and KAFKA_BROKERS is not set', 'kafkaBrokers');
  const registryUrl = config.schemaRegistryUrl ?? process.env.SCHEMA_REGISTRY_URL;
  if (!registryUrl)
    throw new ValidationError(
      'config: schemaRegistryUrl is missing and SCHEMA_REGISTRY_URL is not set',
      'schemaRegistryUrl',
    );

  const streams = wdtStreams({
    editions: [...new Set(config.accounts.map((account) => account.edition))],
    ...(config.windowMinutes !== undefined ? { windowMinutes: config.windowMinutes } : {}),
    ...(config.overlapMinutes !== undefined ? { overlapMinutes: config.overlapMinutes } : {}),
  });
  const transports = createWdtTransports(config, logger);
  const accounts = config.accounts.map((account, index) => {
    const masterStartAtMs = parseBeijingTime(account.masterDataStartAt, `accounts.${index}.masterDataStartAt`);
    return {
      name: account.name,
      transport: transports.get(account.name)!,
      limits: account.rateLimits,
      startAtMs: parseBeijingTime(account.startAt, `accounts.${index}.startAt`),
      streamStartAtMs: Object.fromEntries(WDT_MASTER_STREAMS.map((name) => [name, masterStartAtMs])),
      ...(account.streams ? { streams: account.streams } : {}),
    };
  });
  const kafka = new KafkaClient({ brokers, clientId: config.service, logger });
  const metrics = createMetricsRegistry(config.service);
  const runtime = new SourceRuntime({
    service: config.service,
    system: 'wangdiantong',
    streams,
    accounts,
    kafka,
    serde: new AvroSerde(registryUrl),
    pollIntervalMs: config.pollIntervalSeconds * 1000,
    retry: config.retry,
    metrics,
    logger,
  });
  return {
    runtime,
    transports,
    kafka,
    metrics,
    close: async () => {
      await runtime.stop();
      await kafka.disconnect();
    },
  };
}

/** One transport per account, secrets resolved; needs no Kafka (used by `--check`). */
export function createWdtTransports(
  config: WdtSourceConfig,
  logger: Logger = createLogger(config.service),
): Map<string, WangdiantongTransport> {
  const transports = new Map<string, WangdiantongTransport>();
  config.accounts.forEach((account, index) => {
    transports.set(
      account.name,
      new WangdiantongTransport({
        credentials: resolveWdtCredentials(account, index),
        baseUrl: account.baseUrl,
        timeoutMs: account.requestTimeoutMs,
        throttleBackoff: account.throttleBackoff,
        logger: logger.child({ account: account.name, edition: account.edition }),
      }),
    );
  });
  return transports;
}
