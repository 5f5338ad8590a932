import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { createLogger, createMetricsRegistry, parseBeijingTime, type Logger } from '@yecai/common';
import { SourceRuntime, sourceKafkaEndpoints, type StreamDefinition } from '@yecai/connector-kit';
import { fileTokenStore, resolveAccountSecrets, type JstSourceConfig } from './config';
import { JST_STREAMS } from './streams';
import { JushuitanTransport } from './transport';

export interface JstService {
  runtime: SourceRuntime;
  transports: Map<string, JushuitanTransport>;
  kafka: KafkaClient;
  metrics: ReturnType<typeof createMetricsRegistry>;
  close(): Promise<void>;
}

/** Wires config → transports → kit runtime. No Kafka I/O happens until runtime.start()/runOnce()/backfill(). */
export function createJstService(config: JstSourceConfig, logger: Logger = createLogger(config.service)): JstService {
  const { brokers, registryUrl } = sourceKafkaEndpoints(config);

  const streams: StreamDefinition[] = JST_STREAMS.map((stream) =>
    stream.cursor.kind === 'modified_time'
      ? {
          ...stream,
          cursor: {
            ...stream.cursor,
            ...(config.windowMinutes !== undefined ? { windowMs: Math.round(config.windowMinutes * 60_000) } : {}),
            ...(config.overlapMinutes !== undefined ? { overlapMs: Math.round(config.overlapMinutes * 60_000) } : {}),
          },
        }
      : stream,
  );
  const transports = createJstTransports(config, logger);
  const accounts = config.accounts.map((account, index) => ({
    name: account.name,
    transport: transports.get(account.name)!,
    limits: account.rateLimits,
    startAtMs: parseBeijingTime(account.startAt, `accounts.${index}.startAt`),
    ...(account.streams ? { streams: account.streams } : {}),
  }));
  const kafka = new KafkaClient({ brokers, clientId: config.service, logger });
  const metrics = createMetricsRegistry(config.service);
  const runtime = new SourceRuntime({
    service: config.service,
    system: 'jushuitan',
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
export function createJstTransports(
  config: JstSourceConfig,
  logger: Logger = createLogger(config.service),
): Map<string, JushuitanTransport> {
  const transports = new Map<string, JushuitanTransport>();
  config.accounts.forEach((account, index) => {
    const secrets = resolveAccountSecrets(account, index);
    transports.set(
      account.name,
      new JushuitanTransport({
        baseUrl: account.baseUrl,
        appKey: account.appKey,
        appSecret: secrets.appSecret,
        tokens: secrets.tokens,
        ...(account.tokenFile ? { tokenStore: fileTokenStore(account.tokenFile) } : {}),
        timeoutMs: account.requestTimeoutMs,
        throttleBackoff: account.throttleBackoff,
        logger: logger.child({ account: account.name }),
      }),
    );
  });
  return transports;
}
