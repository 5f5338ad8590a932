import type { Db } from 'mongodb';
import type { Registry } from 'prom-client';
import { createLogger, type Logger } from '@yecai/common';
import { AvroSerde, KafkaClient, TransactionalProcessor, documentKey, topics, valueSubject, type InputChunk, type KafkaMessage, type OutputMessage } from '@yecai/kafka';
import { CachedMasterDataLookup, MasterDataStore, masterDataRouter } from '@yecai/master-data';
import { ParkingStore, parkingRouter, type ParkedDocument } from '@yecai/parking';
import { loadRawDocumentSchema, registerCanonicalSchemas, type RawDocument } from '@yecai/schemas';
import type express from 'express';
import { DEFAULT_CHUNK_SIZE, DEFAULT_CONCURRENCY } from './defaults';
import { mappingMetrics, type MappingMetrics } from './metrics';
import { WireCodec } from './wire-codec';
import { MappingEngine, type MappingOutcome, type RawInput } from './rules/engine';
import type { CompiledRule } from './rules/load-rules';

export const STAGE = 'mapping';

type SourcePosition = { topic: string; partition: number; offset: string };

export interface MappingServiceOptions {
  kafka: KafkaClient;
  registryUrl: string;
  db: Db;
  rules: CompiledRule[];
  metricsRegistry: Registry;
  groupId?: string;
  /** Partitions of topics this service creates when missing. */
  numPartitions?: number;
  maxChunkSize?: number;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /** Called after each committed transaction (benchmarks, tests). */
  onCommitted?: (info: { inputCount: number; outputCount: number; ms: number }) => void;
  /** Bounded staleness of the master-data cache. */
  maxStalenessMs?: number;
  /** How often parked documents waiting for master data are re-checked (0 = never automatically). */
  reprocessIntervalMs?: number;
  logger?: Logger;
}


/**
 * Consumes raw topics, maps each document by its flow rules and emits canonical events exactly once
 * (TransactionalProcessor); parks what cannot be mapped, re-pushes it once the missing master data exists.
 */
export class MappingService {
  readonly engine: MappingEngine;
  readonly masterData: MasterDataStore;
  readonly lookup: CachedMasterDataLookup;
  readonly parking: ParkingStore;
  readonly metrics: MappingMetrics;
  readonly serde: AvroSerde;
  private readonly codec: WireCodec;
  private readonly logger: Logger;
  private processor: TransactionalProcessor | undefined;
  private schemaIds = new Map<string, number>();
  private rawSchemaIds = new Map<string, Promise<number>>();
  private repushProducer: ReturnType<KafkaClient['producer']> | undefined;
  private reprocessTimer: NodeJS.Timeout | undefined;
  private reprocessing: Promise<number> | undefined;
  readonly groupId: string;

  constructor(private readonly options: MappingServiceOptions) {
    this.logger = options.logger ?? createLogger('mapping');
    this.groupId = options.groupId ?? 'yecai-mapping';
    this.serde = new AvroSerde(options.registryUrl);
    this.codec = new WireCodec(this.serde);
    this.masterData = new MasterDataStore(options.db);
    this.lookup = new CachedMasterDataLookup(this.masterData, { maxStalenessMs: options.maxStalenessMs ?? 10_000 });
    this.parking = new ParkingStore(options.db);
    this.engine = new MappingEngine(options.rules, { lookup: this.lookup });
    this.metrics = mappingMetrics(options.metricsRegistry);
  }

  rawTopics(): string[] {
    return this.engine.sources().map((source) => topics.raw(source.system, source.documentType));
  }

  canonicalTopics(): string[] {
    return [...new Set(this.options.rules.map((rule) => topics.canonical(rule.rule.target.documentType)))];
  }

  get isReady(): boolean {
    return this.processor?.isRunning ?? false;
  }

  /** Topics, schemas and indexes, then the consume loop and the re-processing timer. */
  async start(): Promise<void> {
    const numPartitions = this.options.numPartitions ?? 6;
    await this.options.kafka.ensureTopics([...this.rawTopics(), ...this.canonicalTopics()].map((topic) => ({ topic, numPartitions })));
    this.schemaIds = await registerCanonicalSchemas(this.serde, this.options.registryUrl);
    for (const schemaId of this.schemaIds.values()) await this.codec.prepare(schemaId);
    await this.masterData.ensureIndexes();
    await this.parking.ensureIndexes();
    this.processor = new TransactionalProcessor({
      kafka: this.options.kafka,
      groupId: this.groupId,
      topics: this.rawTopics(),
      transactionalIdPrefix: this.groupId,
      maxChunkSize: this.options.maxChunkSize ?? DEFAULT_CHUNK_SIZE,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? DEFAULT_CONCURRENCY,
      ...(this.options.sessionTimeoutMs ? { sessionTimeoutMs: this.options.sessionTimeoutMs } : {}),
      transform: (chunk) => this.transform(chunk),
      onCommitted: (info) => {
        this.metrics.transactionSeconds.observe(info.ms / 1000);
        this.options.onCommitted?.(info);
      },
      logger: this.logger,
    });
    await this.processor.start();
    const interval = this.options.reprocessIntervalMs ?? 30_000;
    if (interval > 0) {
      this.reprocessTimer = setInterval(() => {
        void this.reprocessParked().catch((error) => this.logger.warn({ err: error }, 're-processing parked documents failed'));
      }, interval);
      this.reprocessTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.reprocessTimer) clearInterval(this.reprocessTimer);
    await this.reprocessing?.catch(() => undefined);
    await this.processor?.stop();
  }

  /** Admin routes for the ops server: master data (changes drop the cache) and parked documents. */
  mountAdmin(app: express.Express): void {
    app.use(masterDataRouter(this.masterData, { onChange: () => this.lookup.invalidate() }));
    app.use(parkingRouter(this.parking, { repush: (document) => this.repush(document, 'manual') }));
  }

  /**
   * One chunk of one raw partition → canonical messages, in input order; parked and filtered documents produce
   * nothing. Documents whose master data is cached are mapped and encoded synchronously, without a promise each.
   */
  async transform(chunk: InputChunk): Promise<OutputMessage[]> {
    const results: (OutputMessage[] | Promise<OutputMessage[]>)[] = [];
    let waiting = false;
    for (const message of chunk.messages) {
      const result = this.handleMessage(chunk.topic, chunk.partition, message);
      if (result instanceof Promise) waiting = true;
      results.push(result);
    }
    const settled = waiting ? await Promise.all(results) : (results as OutputMessage[][]);
    this.metrics.lookupCache.set(this.lookup.hits / Math.max(1, this.lookup.hits + this.lookup.misses));
    return settled.flat();
  }

  private handleMessage(topic: string, partition: number, message: KafkaMessage): OutputMessage[] | Promise<OutputMessage[]> {
    const position = { topic, partition, offset: message.offset };
    let envelope: RawDocument | Promise<RawDocument>;
    try {
      if (!message.value) throw new Error('message has no value');
      envelope = this.codec.decode<RawDocument>(message.value);
    } catch (error) {
      return this.parkMalformed(message, position, error);
    }
    if (envelope instanceof Promise) {
      return envelope.then(
        (decoded) => this.mapEnvelope(decoded, message, position),
        (error: unknown) => this.parkMalformed(message, position, error),
      );
    }
    return this.mapEnvelope(envelope, message, position);
  }

  private async parkMalformed(message: KafkaMessage, position: SourcePosition, error: unknown): Promise<OutputMessage[]> {
    const detail = error instanceof Error ? error.message : String(error);
    await this.park({
      flow: null,
      key: message.key?.toString() ?? null,
      code: 'MALFORMED_ENVELOPE',
      level: 1,
      reasonZh: `原始消息无法按 RawDocument 解码：${detail} (raw message is not a decodable RawDocument: ${detail})`,
      reasonEn: `raw message is not a decodable RawDocument: ${detail}`,
      field: 'value',
      raw: null,
      rawBytesBase64: message.value?.toString('base64'),
      source: position,
    });
    return [];
  }

  private mapEnvelope(envelope: RawDocument, message: KafkaMessage, position: SourcePosition): OutputMessage[] | Promise<OutputMessage[]> {
    const raw: RawInput = {
      sourceSystem: envelope.sourceSystem,
      account: envelope.account,
      documentType: envelope.documentType,
      sourceId: envelope.sourceId,
      sourceModifiedAt: Number(envelope.sourceModifiedAt),
      contentHash: envelope.contentHash,
      payload: envelope.payload,
      rawTopic: position.topic,
      rawPartition: position.partition,
      rawOffset: Number(message.offset),
    };
    const outcomes = this.engine.mapDocument(raw);
    if (outcomes instanceof Promise) return outcomes.then((settled) => this.emitAll(settled, 0, [], raw, envelope, position));
    return this.emitAll(outcomes, 0, [], raw, envelope, position);
  }

  /**
   * Emits `outcomes[from…]` after `outputs`: synchronously while they are mapped or filtered and their schema is
   * prepared, then (a park, a schema to fetch) one after another as before.
   */
  private emitAll(outcomes: MappingOutcome[], from: number, outputs: OutputMessage[], raw: RawInput, envelope: RawDocument, position: SourcePosition): OutputMessage[] | Promise<OutputMessage[]> {
    for (let index = from; index < outcomes.length; index += 1) {
      const outcome = outcomes[index]!;
      if (outcome.kind === 'filtered') {
        this.countFiltered(outcome);
        continue;
      }
      if (outcome.kind !== 'mapped') return this.emitRest(outcomes, index, outputs, raw, envelope, position);
      const output = this.emitMapped(outcome, raw, envelope, position);
      if (output instanceof Promise) {
        return output.then((settled) => {
          if (settled) outputs.push(settled);
          return this.emitRest(outcomes, index + 1, outputs, raw, envelope, position);
        });
      }
      outputs.push(output);
    }
    return outputs;
  }

  private async emitRest(outcomes: MappingOutcome[], from: number, outputs: OutputMessage[], raw: RawInput, envelope: RawDocument, position: SourcePosition): Promise<OutputMessage[]> {
    for (let index = from; index < outcomes.length; index += 1) {
      const output = await this.emit(outcomes[index]!, raw, envelope, position);
      if (output) outputs.push(output);
    }
    return outputs;
  }

  private countFiltered(outcome: Extract<MappingOutcome, { kind: 'filtered' }>): void {
    this.metrics.documents.inc({ flow: outcome.flow, outcome: 'filtered' });
    this.metrics.filtered.inc({ flow: outcome.flow, filter: outcome.filter });
  }

  private schemaIdOf(outcome: Extract<MappingOutcome, { kind: 'mapped' }>): number {
    const schemaId = this.schemaIds.get(outcome.targetDocumentType);
    if (schemaId === undefined) throw new Error(`no registered schema for ${outcome.targetDocumentType}`);
    return schemaId;
  }

  private async emit(outcome: MappingOutcome, raw: RawInput, envelope: RawDocument, position: SourcePosition): Promise<OutputMessage | undefined> {
    if (outcome.kind === 'filtered') {
      this.countFiltered(outcome);
      return undefined;
    }
    if (outcome.kind === 'parked') {
      await this.park({ ...outcome, key: documentKey(raw), raw: envelope as unknown as Record<string, unknown>, source: position });
      return undefined;
    }
    return this.emitMapped(outcome, raw, envelope, position);
  }

  /** The canonical message of a mapped outcome; synchronous once its schema is prepared, unless it must be parked. */
  private emitMapped(outcome: Extract<MappingOutcome, { kind: 'mapped' }>, raw: RawInput, envelope: RawDocument, position: SourcePosition): OutputMessage | Promise<OutputMessage | undefined> {
    const schemaId = this.schemaIdOf(outcome);
    let value: Buffer | Promise<Buffer>;
    try {
      value = this.codec.encode(schemaId, outcome.value);
    } catch (error) {
      return this.parkUnencodable(outcome, raw, envelope, position, error);
    }
    if (value instanceof Promise) {
      return value.then(
        (encoded) => this.mappedMessage(outcome, encoded),
        (error: unknown) => this.parkUnencodable(outcome, raw, envelope, position, error),
      );
    }
    return this.mappedMessage(outcome, value);
  }

  private mappedMessage(outcome: Extract<MappingOutcome, { kind: 'mapped' }>, value: Buffer): OutputMessage {
    this.metrics.documents.inc({ flow: outcome.flow, outcome: 'mapped' });
    return { topic: topics.canonical(outcome.targetDocumentType), key: outcome.key, value };
  }

  /** The engine checks types and scales first, so this is a rule/schema mismatch a person must look at. */
  private async parkUnencodable(outcome: Extract<MappingOutcome, { kind: 'mapped' }>, raw: RawInput, envelope: RawDocument, position: SourcePosition, error: unknown): Promise<undefined> {
    const detail = error instanceof Error ? error.message : String(error);
    await this.park({
      flow: outcome.flow,
      key: documentKey(raw),
      code: 'ENCODING_FAILED',
      level: 1,
      reasonZh: `规则 ${outcome.flow} 的结果不符合 ${outcome.targetDocumentType} 模式：${detail} (rule output does not fit the canonical schema: ${detail})`,
      reasonEn: `rule ${outcome.flow} output does not fit the ${outcome.targetDocumentType} schema: ${detail}`,
      raw: envelope as unknown as Record<string, unknown>,
      source: position,
    });
    return undefined;
  }

  private async park(input: Omit<Parameters<ParkingStore['park']>[0], 'stage'> & { kind?: string }): Promise<void> {
    const { kind: _kind, ...rest } = input;
    const isNew = await this.parking.park({ ...rest, stage: STAGE });
    if (isNew) this.metrics.parked.inc({ flow: rest.flow ?? 'none', code: rest.code, level: String(rest.level) });
    this.metrics.documents.inc({ flow: rest.flow ?? 'none', outcome: 'parked' });
    this.logger.info({ flow: rest.flow, key: rest.key, code: rest.code, source: rest.source }, rest.reasonEn);
  }

  private rawSchemaId(topic: string): Promise<number> {
    let id = this.rawSchemaIds.get(topic);
    if (!id) {
      id = this.serde.register(valueSubject(topic), loadRawDocumentSchema());
      this.rawSchemaIds.set(topic, id);
    }
    return id;
  }

  /** Sends a parked raw document back to its raw topic (same key), where it is mapped like any other. */
  async repush(document: ParkedDocument, trigger: 'manual' | 'master-data'): Promise<void> {
    if (!document.raw) throw new Error(`parked document ${document._id} has no decodable raw document to re-push`);
    this.repushProducer ??= this.options.kafka.producer();
    const producer = await this.repushProducer;
    const value = await this.serde.encode(await this.rawSchemaId(document.source.topic), document.raw);
    await producer.send({ topic: document.source.topic, messages: [{ key: document.key ?? undefined, value }] });
    this.metrics.repushed.inc({ trigger });
  }

  /**
   * Re-pushes parked documents whose missing master data now exists. Waits until the mapping is older than the
   * cache's staleness bound, so no replica maps the re-pushed document with a stale miss; of several parked
   * versions of one document only the newest is re-pushed (older ones are superseded, never replayed after it).
   */
  reprocessParked(): Promise<number> {
    this.reprocessing ??= this.reprocessOnce().finally(() => {
      this.reprocessing = undefined;
    });
    return this.reprocessing;
  }

  private async reprocessOnce(): Promise<number> {
    const waiting = await this.parking.list({ stage: STAGE, status: 'OPEN', code: 'MISSING_MASTER_DATA', limit: 5000 });
    const settledBefore = Date.now() - (this.options.maxStalenessMs ?? 10_000);
    const newestByKey = new Map<string, ParkedDocument>();
    for (const document of waiting) {
      const key = `${document.flow}|${document.key}`;
      const seen = newestByKey.get(key);
      const newer = !seen || Number(document.raw?.sourceModifiedAt ?? 0) >= Number(seen.raw?.sourceModifiedAt ?? 0);
      if (seen && newer) await this.parking.transition(seen._id, 'SUPERSEDED', `newer version parked: ${document._id}`);
      if (newer) newestByKey.set(key, document);
      else await this.parking.transition(document._id, 'SUPERSEDED', `newer version parked: ${seen!._id}`);
    }
    let repushed = 0;
    for (const document of newestByKey.values()) {
      let ready = true;
      for (const missing of document.missing ?? []) {
        const record = await this.masterData.get(missing.entity as Parameters<MasterDataStore['get']>[0], missing.key);
        if (!record || record.updatedAt.getTime() > settledBefore) {
          ready = false;
          break;
        }
      }
      if (!ready) {
        this.logger.debug({ id: document._id, missing: document.missing }, 'parked document still waits for master data');
        continue;
      }
      // Push first, then record it: a crash in between re-pushes once more (same key and content hash, which
      // downstream treats as the same version) rather than marking a document re-pushed that never was.
      await this.repush(document, 'master-data');
      await this.parking.transition(document._id, 'REPUSHED', 'master data added');
      repushed += 1;
      this.logger.info({ id: document._id, key: document.key }, 'parked document re-pushed: its master data now exists');
    }
    return repushed;
  }
}
