/**
 * kafkajs filters the records of aborted transactions itself (read_committed), in
 * `kafkajs/src/consumer/filterAbortedMessages.js`, and 2.2.4 — the last release — gets it wrong: for each record it steps
 * into at most ONE aborted transaction of the fetch response's list. A fetch that starts inside an aborted transaction
 * (a consumer group resuming mid-partition, the second fetch of a long partition) lists that one first; the record
 * that opens the next aborted transaction then only steps into the first, and the next one's records are delivered as
 * if committed. It also took any record keyed with four zero bytes for an abort marker.
 *
 * What that cost: a restarted source lane read, as its checkpoint, one that its SIGKILLed predecessor had never
 * committed, trusted its cursor and "already published" marks, and never read again the documents that the aborted
 * transaction had carried — the intermittent raw loss of the fault suites (aborted-transactions.int.test.ts shows it
 * on the real broker).
 *
 * This module replaces that function, before kafkajs loads its consumer, with the Java client's rule: every aborted
 * transaction whose first offset is at or before a record is in force for that record's producer until the
 * producer's abort marker. It is replaced at run time, not patched on disk at install, because the images install
 * with --ignore-scripts; and it checks itself through kafkajs's own Batch class, so a process in which kafkajs was
 * loaded first (and the replacement did not take) fails at start instead of losing documents.
 */

interface AbortedTransaction {
  firstOffset: string;
  producerId: string;
}

interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}

/** Control record key: version (int16) then type (int16), 0 = ABORT, 1 = COMMIT. */
function isAbortMarker(record: FetchedRecord): boolean {
  const key = record.key;
  return record.isControlRecord === true && key !== null && key.length >= 4 && key.readInt16BE(2) === 0;
}

export function filterAbortedRecords<T extends FetchedRecord>({
  messages,
  abortedTransactions,
}: {
  messages: T[];
  abortedTransactions?: AbortedTransaction[];
}): T[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const upcoming = [...abortedTransactions].sort((a, b) =>
    BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : BigInt(a.firstOffset) > BigInt(b.firstOffset) ? 1 : 0,
  );
  const abortedProducers = new Set<string>();
  return messages.filter((record) => {
    const offset = BigInt(record.offset);
    while (upcoming.length > 0 && BigInt(upcoming[0]!.firstOffset) <= offset) {
      abortedProducers.add(String(upcoming.shift()!.producerId));
    }
    const producerId = String(record.batchContext.producerId);
    if (isAbortMarker(record)) {
      abortedProducers.delete(producerId);
      return true; // control records are dropped by the caller
    }
    return !(record.batchContext.inTransaction && abortedProducers.has(producerId));
  });
}

const FILTER_MODULE = 'kafkajs/src/consumer/filterAbortedMessages';
const BATCH_MODULE = 'kafkajs/src/consumer/batch';

/* eslint-disable @typescript-eslint/no-require-imports -- the module-local require: its cache is the one kafkajs's requires read (Node's, or jest's registry) */
function install(): void {
  require(FILTER_MODULE);
  const cached = require.cache[require.resolve(FILTER_MODULE)];
  if (cached) cached.exports = filterAbortedRecords;
  verify();
}

/** Through kafkajs's Batch: a fetch from offset 1 inside aborted transaction A must not deliver B's aborted record. */
function verify(): void {
  const Batch = require(BATCH_MODULE) as new (
    topic: string,
    fetchedOffset: string,
    partitionData: Record<string, unknown>,
  ) => { messages: unknown[] };
  const record = (offset: string, producerId: string): FetchedRecord => ({
    offset,
    key: Buffer.from('k'),
    isControlRecord: false,
    batchContext: { producerId, inTransaction: true },
  });
  const batch = new Batch('self-check', '1', {
    partition: 0,
    highWatermark: '3',
    abortedTransactions: [
      { firstOffset: '0', producerId: '7' },
      { firstOffset: '1', producerId: '8' },
    ],
    messages: [record('1', '8'), record('2', '7')],
  });
  if (batch.messages.length !== 0) {
    throw new Error(
      "@yecai/kafka: kafkajs's read_committed filter is not the corrected one (kafkajs was loaded before @yecai/kafka?). " +
        'Refusing to run: it delivers records of aborted transactions.',
    );
  }
}
/* eslint-enable @typescript-eslint/no-require-imports */

install();
