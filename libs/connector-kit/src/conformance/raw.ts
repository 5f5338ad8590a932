/** Reading what a source committed — raw topics and checkpoints — and comparing it with an emulator's ground truth. */
import { AvroSerde, readTopicsToEnd, topics, type KafkaClient } from '@yecai/kafka';
import type { StreamCheckpoint } from '../checkpoint';
import { readCheckpoints } from '../kafka-committer';
import type { RawDocument } from '../stream-sync';

/** Everything committed in a raw topic when called (a snapshot read to the last stable offsets), decoded. */
export async function readRawDocuments(
  kafka: KafkaClient,
  registryUrl: string,
  system: string,
  documentType: string,
): Promise<RawDocument[]> {
  const serde = new AvroSerde(registryUrl);
  const values: Buffer[] = [];
  await readTopicsToEnd(kafka, [topics.raw(system, documentType)], (_topic, _partition, message) =>
    values.push(message.value!),
  );
  return Promise.all(values.map((value) => serde.decode<RawDocument>(value)));
}

/** The committed checkpoints of a service (`checkpoint.<service>`), by key `<account>/<stream>[/backfill]`. */
export async function committedCheckpoints(
  kafka: KafkaClient,
  service: string,
): Promise<Map<string, StreamCheckpoint>> {
  return readCheckpoints(kafka, topics.checkpoint(service), { timeoutMs: 30_000 });
}

export interface VersionRef {
  id: string | number;
  modifiedMs: number;
}

/** (id@modifiedMs) occurrences (of one account, if given) that are repeated, and expected versions that are missing. */
export function exactlyOnceReport(
  expected: VersionRef[],
  documents: RawDocument[],
  account?: string,
): { duplicates: string[]; missing: string[] } {
  const counts = new Map<string, number>();
  for (const document of documents) {
    if (account !== undefined && document.account !== account) continue;
    const key = `${document.sourceId}@${Number(document.sourceModifiedAt)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
  const missing = expected.map((v) => `${v.id}@${v.modifiedMs}`).filter((key) => !counts.has(key));
  return { duplicates, missing };
}
