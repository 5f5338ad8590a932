/**
 * The source ledger: what the OMS says, per document, from the canonical topics (every version that passed its
 * sync condition; the latest one is kept, with the count of versions seen), plus the documents mapping left out —
 * filtered by a rule (libs/parking FilteredStore) or parked at mapping (ParkingStore, stage mapping) — marked so.
 * The Kafka consumer group's offsets are committed only after the documents are written, so a crash re-reads.
 */
import type { Collection, Db } from 'mongodb';
import { createLogger, Decimal, formatBeijingTime } from '@yecai/common';
import {
  decodeCanonical,
  documentKeyOf,
  loadCanonicalSchema,
  sourceIdentity,
  type CanonicalDocumentType,
  type CanonicalJson,
} from '@yecai/contracts';
import type { AvroSerde, KafkaClient } from '@yecai/kafka';
import { FilteredStore, ParkingStore } from '@yecai/parking';
import type { LineFacts, SourceDocument } from './model';
import type { ReconcileFlow } from './flows';

const logger = createLogger('reconcile-source');

const text = (value: unknown): string =>
  typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);

/** The tax-inclusive amount of a canonical line: its amount, else quantity × 含税单价, else quantity × 单价 × (1 + 税率). */
function lineAmount(line: CanonicalJson, qty: Decimal): Decimal {
  if (line.amount !== null && line.amount !== undefined && text(line.amount) !== '')
    return new Decimal(text(line.amount));
  if (text(line.taxInclusivePrice) !== '') return qty.mul(text(line.taxInclusivePrice));
  if (text(line.price) !== '')
    return qty.mul(text(line.price)).mul(new Decimal(text(line.taxRate) || '0').div(100).plus(1));
  return new Decimal(0);
}

/** One canonical event as reconciliation facts (quantities in the base unit: the canonical unit is Kingdee's stock unit, 1:1 here). */
export function canonicalFacts(flow: ReconcileFlow, event: CanonicalJson): SourceDocument {
  const identity = sourceIdentity(event);
  const lines = (Array.isArray(event.lines) ? (event.lines as CanonicalJson[]) : []).map((line, index): LineFacts => {
    const qty = new Decimal(text(line.quantity) || '0');
    return {
      seq: index + 1,
      sku: text(line.sku) || undefined,
      material: text(line.material),
      warehouse: text(line.warehouse),
      lot: text(line.batch),
      qty: qty.toString(),
      amount: lineAmount(line, qty).toString(),
    };
  });
  return {
    _id: documentKeyOf(event),
    flow: flow.documentType,
    ref: identity.sourceId,
    billNo: text(event.billNumber),
    org: flow.orgOf(event),
    date: text(event.date).slice(0, 10),
    shop: flow.shopOf(event),
    lines,
    sourceSystem: identity.sourceSystem,
    mark: 'SYNCED',
    markReason: null,
    sourceModifiedAt: identity.sourceModifiedAt,
    contentHash: identity.contentHash,
    versions: 1,
  };
}

/**
 * How long the catch-up waits, once its consumer has joined the group, without a new message before it takes the
 * topics as read (a transaction's commit marker keeps the high watermark one past the last record).
 */
const IDLE_MS = 2_500;
/** The longest a catch-up waits for its group to form; past it the run goes on and reports the partitions unread. */
const JOIN_TIMEOUT_MS = 120_000;

export class SourceLedger {
  readonly collection: Collection<SourceDocument>;

  constructor(private readonly db: Db) {
    this.collection = db.collection<SourceDocument>('reconcile_source');
  }

  /** Keeps the newest version of each document (by sourceModifiedAt); returns how many documents changed. */
  async record(documents: SourceDocument[]): Promise<number> {
    const newest = new Map<string, SourceDocument>();
    for (const document of documents) {
      const held = newest.get(document._id);
      newest.set(
        document._id,
        held && held.sourceModifiedAt > document.sourceModifiedAt
          ? { ...held, versions: held.versions + 1 }
          : { ...document, versions: (held?.versions ?? 0) + 1 },
      );
    }
    const stored = new Map(
      (await this.collection.find({ _id: { $in: [...newest.keys()] } }).toArray()).map((document) => [
        document._id,
        document,
      ]),
    );
    const changed: SourceDocument[] = [];
    for (const document of newest.values()) {
      const held = stored.get(document._id);
      if (held && (held.sourceModifiedAt > document.sourceModifiedAt || held.contentHash === document.contentHash))
        continue;
      changed.push({ ...document, versions: (held?.versions ?? 0) + document.versions });
    }
    if (changed.length === 0) return 0;
    // Delete + insert, not update: FerretDB's updates are not dependable (libs/store); a crash in between is healed by
    // re-reading the uncommitted messages.
    await this.collection.deleteMany({ _id: { $in: changed.map((document) => document._id) } });
    await this.collection.insertMany(changed);
    return changed.length;
  }

  /** Reads every canonical topic of `flows` from the group's committed offsets to the end as of now. */
  async catchUp(
    kafka: KafkaClient,
    serde: AvroSerde,
    flows: readonly ReconcileFlow[],
    groupId: string,
  ): Promise<{ messages: number; documents: number; unread: string[] }> {
    const admin = await kafka.admin();
    const byTopic = new Map(flows.map((flow) => [loadCanonicalSchema(flow.documentType).topic, flow]));
    const existing = new Set(await admin.listTopics());
    const topics = [...byTopic.keys()].filter((topic) => existing.has(topic));
    const targets = new Map<string, bigint>();
    for (const topic of topics)
      for (const partition of await admin.fetchTopicOffsets(topic))
        targets.set(`${topic}|${partition.partition}`, BigInt(partition.high));
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
      for (const { partition, offset } of partitions)
        if (BigInt(offset) >= (targets.get(`${topic}|${partition}`) ?? 0n)) targets.delete(`${topic}|${partition}`);
    }
    for (const [key, high] of targets) if (high === 0n) targets.delete(key);
    if (targets.size === 0) return { messages: 0, documents: 0, unread: [] };

    const consumer = kafka.consumer({ groupId });
    let messages = 0;
    let documents = 0;
    let lastActivity = Date.now();
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
      lastActivity = Date.now();
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat }) => {
          const flow = byTopic.get(batch.topic)!;
          const facts: SourceDocument[] = [];
          for (const message of batch.messages) {
            if (!message.value) continue;
            const event = (await decodeCanonical(
              serde,
              flow.documentType as CanonicalDocumentType,
              message.value,
            )) as unknown as CanonicalJson;
            facts.push(canonicalFacts(flow, event));
          }
          if (facts.length > 0) documents += await this.record(facts);
          messages += batch.messages.length;
          const next = BigInt(batch.lastOffset()) + 1n;
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next.toString() }]);
          const key = `${batch.topic}|${batch.partition}`;
          if (next >= (targets.get(key) ?? 0n)) targets.delete(key);
          lastActivity = Date.now();
          await heartbeat();
        },
      });
      const started = Date.now();
      const waiting = () => (joined ? Date.now() - lastActivity < IDLE_MS : Date.now() - started < JOIN_TIMEOUT_MS);
      while (targets.size > 0 && waiting()) await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await consumer.disconnect();
    }
    const unread = [...targets.keys()];
    if (unread.length > 0)
      logger.warn(
        { messages, documents, unread, joined },
        'source ledger may not be complete: partitions not read to their end',
      );
    else logger.info({ messages, documents }, 'source ledger caught up');
    return { messages, documents, unread };
  }

  /** The synced documents of `flows`, plus the filtered and mapping-parked ones (marked) — all periods. */
  async documents(flows: readonly ReconcileFlow[]): Promise<SourceDocument[]> {
    const types = flows.map((flow) => flow.documentType);
    const synced = await this.collection.find({ flow: { $in: types } }).toArray();
    const known = new Set(synced.map((document) => document._id));
    const marked: SourceDocument[] = [];
    const typeOfRule = (rule: string | null) => (rule ?? '').split('/').at(-1) ?? '';
    for (const filtered of await new FilteredStore(this.db).collection.find({}).toArray()) {
      const flow = typeOfRule(filtered.flow);
      if (!types.includes(flow) || known.has(filtered.key)) continue;
      marked.push(
        markedDocument(
          filtered.key,
          flow,
          filtered.sourceSystem,
          filtered.sourceId,
          filtered.sourceModifiedAt,
          filtered.contentHash,
          'FILTERED',
          `${filtered.filter}: ${filtered.description}`,
        ),
      );
    }
    for (const parked of await new ParkingStore(this.db).list({ stage: 'mapping', status: 'OPEN', limit: 100_000 })) {
      const flow = typeOfRule(parked.flow);
      if (!parked.key || !types.includes(flow) || known.has(parked.key)) continue;
      const raw = parked.raw ?? {};
      const [sourceSystem = '', , , sourceId = ''] = parked.key.split('/');
      marked.push(
        markedDocument(
          parked.key,
          flow,
          sourceSystem,
          sourceId,
          Number(raw.sourceModifiedAt ?? 0),
          text(raw.contentHash),
          'PARKED',
          `${parked.reasonZh} · ${parked.reasonEn}`,
        ),
      );
    }
    // A later version may have been filtered or parked after an earlier one synced: the latest mark wins per key.
    const byKey = new Map<string, SourceDocument>();
    for (const document of marked)
      if ((byKey.get(document._id)?.sourceModifiedAt ?? -1) <= document.sourceModifiedAt)
        byKey.set(document._id, document);
    return [...synced, ...byKey.values()];
  }
}

/** A document mapping left out has no canonical facts: its business day is taken from its source modification time (Beijing). */
function markedDocument(
  key: string,
  flow: string,
  sourceSystem: string,
  sourceId: string,
  modifiedAt: number,
  contentHash: string,
  mark: 'FILTERED' | 'PARKED',
  reason: string,
): SourceDocument {
  return {
    _id: key,
    flow,
    ref: sourceId,
    billNo: '',
    org: '',
    date: formatBeijingTime(modifiedAt).slice(0, 10),
    shop: '',
    lines: [],
    sourceSystem,
    mark,
    markReason: reason,
    sourceModifiedAt: modifiedAt,
    contentHash,
    versions: 1,
  };
}
