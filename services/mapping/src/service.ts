import type { Db } from 'mongodb';
import type { Registry } from 'prom-client';
import { createLogger, type AdminToken, type Logger } from '@yecai/common';
import { AvroSerde, KafkaClient, TransactionalProcessor, topics, valueSubject, type InputChunk, type OutputMessage } from '@yecai/kafka';
import { CachedMasterDataLookup, MasterDataStore, masterDataRouter, type EntityName } from '@yecai/master-data';
import type { FinanceTarget } from './rules/rule-schema';
import { FilteredStore, ParkingStore, parkingRouter, type ParkedDocument } from '@yecai/parking';
import { loadRawDocumentSchema, registerCanonicalSchemas } from '@yecai/contracts';
import type express from 'express';
import { guardedAdminRouter } from './admin';
import { DEFAULT_CHUNK_SIZE, DEFAULT_CONCURRENCY } from './defaults';
import { mappingMetrics, type MappingMetrics } from './metrics';
import { WireCodec } from './wire-codec';
import { MappingEngine } from './rules/engine';
import { ruleSource, type CompiledRule } from './rules/load-rules';
import { ChunkMapper, type ParkRequest } from './chunk-mapper';
import { FilterCatalog, type FilteredOutcome } from './filter-catalog';
import { TransformPool } from './transform-pool';

export const STAGE = 'mapping';

export interface MappingServiceOptions {
  kafka: KafkaClient;
  registryUrl: string;
  db: Db;
  rules: CompiledRule[];
  metricsRegistry: Registry;
  groupId?: string;
  /** Partitions of topics this service creates when missing; unset (production): TOPIC_SETTINGS in libs/kafka. */
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
  /**
   * Worker threads that map chunks while this thread runs Kafka (0 = map in this thread). Each has its own
   * master-data cache, hence needs `mongodbUri` (the database is `db`'s).
   */
  transformWorkers?: number;
  mongodbUri?: string;
  /** Entities whose missing source mapping falls back to the pulled Kingdee record of the same code (default none). */
  sameCodeFallback?: EntityName[];
  /** The finance system the deployment posts to (park reasons name it). */
  financeTarget?: FinanceTarget;
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
  readonly filtered: FilteredStore;
  private readonly filterCatalog: FilterCatalog;
  readonly metrics: MappingMetrics;
  readonly serde: AvroSerde;
  private readonly codec: WireCodec;
  private readonly logger: Logger;
  private processor: TransactionalProcessor | undefined;
  private mapper: ChunkMapper | undefined;
  private pool: TransformPool | undefined;
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
    this.filtered = new FilteredStore(options.db);
    this.filterCatalog = new FilterCatalog(options.rules);
    this.metrics = mappingMetrics(options.metricsRegistry);
    this.engine = new MappingEngine(options.rules, {
      lookup: this.lookup,
      sameCodeFallback: options.sameCodeFallback ?? [],
      financeTarget: options.financeTarget ?? 'kingdee',
      onSameCode: (use) => {
        this.metrics.sameCode.inc({ flow: use.flow, entity: use.entity });
        this.logger.info(use, 'same-code fallback: no source mapping, the Kingdee record of the same code used');
      },
    });
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
    const numPartitions = this.options.numPartitions; // unset: the raw and canonical rows of TOPIC_SETTINGS
    await this.options.kafka.ensureTopics([...this.rawTopics(), ...this.canonicalTopics()].map((topic) => ({ topic, numPartitions })));
    this.schemaIds = await registerCanonicalSchemas(this.serde);
    for (const schemaId of this.schemaIds.values()) await this.codec.prepare(schemaId);
    this.mapper = new ChunkMapper(this.engine, this.codec, this.schemaIds);
    const workers = this.options.transformWorkers ?? 0;
    if (workers > 0) {
      if (!this.options.mongodbUri) throw new Error('transformWorkers needs mongodbUri: each worker reads master data itself');
      this.pool = new TransformPool(
        workers,
        {
          registryUrl: this.options.registryUrl,
          mongodbUri: this.options.mongodbUri,
          dbName: this.options.db.databaseName,
          rules: this.options.rules.map(ruleSource),
          schemaIds: [...this.schemaIds],
          maxStalenessMs: this.options.maxStalenessMs ?? 10_000,
          sameCodeFallback: this.options.sameCodeFallback ?? [],
          financeTarget: this.options.financeTarget ?? 'kingdee',
        },
        this.logger,
      );
      try {
        await this.pool.started();
      } catch (error) {
        await this.pool.close();
        this.pool = undefined;
        throw error;
      }
    }
    await this.masterData.ensureIndexes();
    await this.parking.ensureIndexes();
    await this.filtered.ensureIndexes();
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
    await this.pool?.close();
    this.pool = undefined;
  }

  /**
   * Admin routes for the ops server: master data (changes drop the cache), parked and filtered documents, all behind
   * the admin guard (admin.ts) — add new admin routes to `admin`, not to `app`.
   */
  mountAdmin(app: express.Express, tokens: readonly AdminToken[]): void {
    const admin = guardedAdminRouter({ tokens, db: this.options.db, service: STAGE, logger: this.logger });
    admin.use(
      masterDataRouter(this.masterData, {
        onChange: () => {
          this.lookup.invalidate();
          this.pool?.invalidate();
        },
      }),
    );
    admin.use(parkingRouter(this.parking, { repush: (document) => this.repush(document, 'manual'), filtered: this.filtered }));
    app.use(admin);
  }

  /**
   * One chunk of one raw partition → canonical messages, in input order; parked and filtered documents produce
   * nothing. Mapped here or, with transformWorkers, in a worker thread; parked and filtered documents are written
   * before the chunk's transaction commits (both idempotent, so a replayed chunk adds nothing).
   */
  async transform(chunk: InputChunk): Promise<OutputMessage[]> {
    if (!this.mapper) throw new Error('the mapping service is not started');
    const result = this.pool ? await this.pool.map(chunk) : await this.mapper.map(chunk);
    await Promise.all([...result.parks.map((request) => this.park(request)), this.recordFiltered(result.filtered)]);
    for (const flow of result.mapped) this.metrics.documents.inc({ flow, outcome: 'mapped' });
    const hits = this.lookup.hits + (this.pool?.lookupHits ?? 0);
    const misses = this.lookup.misses + (this.pool?.lookupMisses ?? 0);
    this.metrics.lookupCache.set(hits / Math.max(1, hits + misses));
    return result.outputs;
  }

  private async park(rest: ParkRequest): Promise<void> {
    const isNew = await this.parking.park({ ...rest, stage: STAGE });
    if (isNew) this.metrics.parked.inc({ flow: rest.flow ?? 'none', code: rest.code, level: String(rest.level) });
    this.metrics.documents.inc({ flow: rest.flow ?? 'none', outcome: 'parked' });
    this.logger.info({ flow: rest.flow, key: rest.key, code: rest.code, source: rest.source }, rest.reasonEn);
  }

  /** One insert for the chunk's filtered documents, each with its filter's description and the rule version. */
  private async recordFiltered(outcomes: FilteredOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.filtered.record(outcomes.map((outcome) => this.filterCatalog.describe(outcome)));
    for (const { flow, filter } of outcomes) {
      this.metrics.documents.inc({ flow, outcome: 'filtered' });
      this.metrics.filtered.inc({ flow, filter });
    }
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
