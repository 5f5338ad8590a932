import { filterAbortedRecords } from './read-committed-filter';
import './client';

const record = (offset: number, producerId: string, options: { control?: 'abort' | 'commit'; key?: Buffer } = {}) => ({
  offset: String(offset),
  key: options.control ? Buffer.from([0, 0, 0, options.control === 'abort' ? 0 : 1]) : (options.key ?? Buffer.from('k')),
  isControlRecord: options.control !== undefined,
  batchContext: { producerId, inTransaction: true },
});
const offsets = (records: { offset: string; isControlRecord: boolean }[]) =>
  records.filter((r) => !r.isControlRecord).map((r) => Number(r.offset));

describe('read_committed filter (replaces kafkajs 2.2.4 filterAbortedMessages)', () => {
  it('a fetch that starts inside one aborted transaction also drops the records of the next one', () => {
    // A: 0, 2 aborted; B: 1 aborted; markers at 3 (A) and 4 (B); A commits 5 (marker 6).
    const fetched = [record(1, 'B'), record(2, 'A'), record(3, 'A', { control: 'abort' }), record(4, 'B', { control: 'abort' }), record(5, 'A')];
    const kept = filterAbortedRecords({
      messages: fetched,
      abortedTransactions: [
        { firstOffset: '0', producerId: 'A' },
        { firstOffset: '1', producerId: 'B' },
      ],
    });
    expect(offsets(kept)).toEqual([5]);
  });

  it("keeps a producer's later committed records after its abort marker, and other producers' records throughout", () => {
    const fetched = [record(0, 'A'), record(1, 'C'), record(2, 'A', { control: 'abort' }), record(3, 'A'), record(4, 'C')];
    const kept = filterAbortedRecords({ messages: fetched, abortedTransactions: [{ firstOffset: '0', producerId: 'A' }] });
    expect(offsets(kept)).toEqual([1, 3, 4]);
  });

  it('a data record keyed with four zero bytes is not an abort marker', () => {
    const fetched = [record(0, 'A'), record(1, 'A', { key: Buffer.from([0, 0, 0, 0]) }), record(2, 'A')];
    const kept = filterAbortedRecords({ messages: fetched, abortedTransactions: [{ firstOffset: '0', producerId: 'A' }] });
    expect(offsets(kept)).toEqual([]);
  });

  it("is what kafkajs's consumer uses once @yecai/kafka is loaded", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's own module, as its consumer loads it
    const Batch = require('kafkajs/src/consumer/batch') as new (t: string, o: string, p: object) => { messages: unknown[] };
    const batch = new Batch('t', '1', {
      partition: 0,
      highWatermark: '3',
      abortedTransactions: [
        { firstOffset: '0', producerId: 'A' },
        { firstOffset: '1', producerId: 'B' },
      ],
      messages: [record(1, 'B'), record(2, 'C')],
    });
    expect(batch.messages).toHaveLength(1);
  });
});
