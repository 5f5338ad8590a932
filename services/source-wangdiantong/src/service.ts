import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { createLogger, createMetricsRegistry, parseBeijingTime, type Logger } from '@yecai/common';
import {
  SourceRuntime,
  SyncEvents,
  sourceKafkaEndpoints,
  type BackfillRequest,
  type CycleResult,
  type SourceAccount,
} from '@yecai/connector-kit';
import { resolveWdtCredentials, type WdtEdition, type WdtSourceConfig } from './config';
import { WDT_MASTER_STREAMS, wdtStreams } from './streams';
import { WangdiantongTransport } from './transport';

/**
 * One kit runtime per edition in use — each edition has its own endpoints, windows and time formats — run as one:
 * same service name (checkpoint topic), same events and metrics; lanes stay per account and stream.
 */
export class WdtRuntime {
  private prepared: Promise<void> | undefined;

  constructor(readonly byEdition: Map<WdtEdition, SourceRuntime>) {}

  private get all(): SourceRuntime[] {
    return [...this.byEdition.values()];
  }

  get ready(): boolean {
    return this.all.every((runtime) => runtime.ready);
  }

  /**
   * Topics and raw schemas, one edition after the other: both editions publish to the same raw topics, and two
   * first registrations of one subject at once fail in the registry ("rule COMPATIBILITY already exists"). With
   * one edition the kit's own prepare (inside start/runOnce/backfill) is enough.
   */
  private prepareEditions(): Promise<void> {
    if (this.all.length < 2) return Promise.resolve();
    this.prepared ??= (async () => {
      for (const runtime of this.all) await runtime.prepare();
    })().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  /** Editions start one after the other (each start prepares its topics and schemas first). */
  async start(): Promise<void> {
    for (const runtime of this.all) await runtime.start();
  }

  async runOnce(): Promise<Map<string, CycleResult>> {
    await this.prepareEditions();
    return merge(await Promise.all(this.all.map((runtime) => runtime.runOnce())));
  }

  async backfill(request: BackfillRequest): Promise<Map<string, CycleResult>> {
    await this.prepareEditions();
    return merge(await Promise.all(this.all.map((runtime) => runtime.backfill(request))));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((runtime) => runtime.stop()));
  }
}

function merge(results: Map<string, CycleResult>[]): Map<string, CycleResult> {
  return new Map(results.flatMap((result) => [...result]));
}

export interface WdtService {
  runtime: WdtRuntime;
  transports: Map<string, WangdiantongTransport>;
  kafka: KafkaClient;
  metrics: ReturnType<typeof createMetricsRegistry>;
  close(): Promise<void>;
}

/** Wires config → transports → kit runtime. No Kafka I/O happens until runtime.start()/runOnce()/backfill(). */
export function createWdtService(config: WdtSourceConfig, logger: Logger = createLogger(config.service)): WdtService {
  const { brokers, registryUrl } = sourceKafkaEndpoints(config);

  const transports = createWdtTransports(config, logger);
  const kafka = new KafkaClient({ brokers, clientId: config.service, logger });
  const serde = new AvroSerde(registryUrl);
  const metrics = createMetricsRegistry(config.service);
  const events = new SyncEvents();
  const byEdition = new Map<WdtEdition, SourceRuntime>();
  for (const edition of ['qyb', 'qjb'] as const) {
    const accounts: SourceAccount[] = [];
    config.accounts.forEach((account, index) => {
      if (account.edition !== edition) return;
      const masterStartAtMs = parseBeijingTime(account.masterDataStartAt, `accounts.${index}.masterDataStartAt`);
      accounts.push({
        name: account.name,
        transport: transports.get(account.name)!,
        limits: account.rateLimits,
        startAtMs: parseBeijingTime(account.startAt, `accounts.${index}.startAt`),
        streamStartAtMs: Object.fromEntries(WDT_MASTER_STREAMS.map((name) => [name, masterStartAtMs])),
        ...(account.streams ? { streams: account.streams } : {}),
      });
    });
    if (accounts.length === 0) continue;
    byEdition.set(
      edition,
      new SourceRuntime({
        service: config.service,
        system: 'wangdiantong',
        streams: wdtStreams({
          edition,
          ...(config.windowMinutes !== undefined ? { windowMinutes: config.windowMinutes } : {}),
          ...(config.overlapMinutes !== undefined ? { overlapMinutes: config.overlapMinutes } : {}),
        }),
        accounts,
        kafka,
        serde,
        pollIntervalMs: config.pollIntervalSeconds * 1000,
        retry: config.retry,
        events,
        // Metrics are fed by the shared events: registered once.
        ...(byEdition.size === 0 ? { metrics } : {}),
        logger,
      }),
    );
  }
  const runtime = new WdtRuntime(byEdition);
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
