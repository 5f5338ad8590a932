import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { seededRandom } from '@yecai/common';
import { JavaCompatiblePartitioner } from './partitioner';

const metadata = (count: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: leaderless.includes(partitionId) ? -1 : 1, replicas: [1], isr: [1], offlineReplicas: [], partitionErrorCode: 0 }));

describe('JavaCompatiblePartitioner', () => {
  it('puts every key on the partition kafkajs (and the Java client) choose', () => {
    const random = seededRandom(7);
    const alphabet = 'abcXYZ0189/-_.销售出库单聚水潭🙂';
    const ours = JavaCompatiblePartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    let compared = 0;
    for (let n = 0; n < 3000; n += 1) {
      const length = Math.floor(random() * 48);
      const key = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      for (const count of [1, 3, 6, 7, 64]) {
        const partitionMetadata = metadata(count);
        const keyed = n % 2 === 0 ? key : Buffer.from(key);
        expect(ours({ topic: 't', partitionMetadata, message: { key: keyed, value: null } })).toBe(theirs({ topic: 't', partitionMetadata, message: { key: keyed, value: null } }));
        compared += 1;
      }
    }
    expect(compared).toBe(15000);
    expect(ours({ topic: 't', partitionMetadata: metadata(6), message: { key: 'jushuitan/main/sales_outstock/20240001', value: null } })).toBe(
      theirs({ topic: 't', partitionMetadata: metadata(6), message: { key: 'jushuitan/main/sales_outstock/20240001', value: null } }),
    );
  });

  it('keeps an explicit partition, and spreads keyless messages over the partitions that have a leader', () => {
    const partitioner = JavaCompatiblePartitioner();
    expect(partitioner({ topic: 't', partitionMetadata: metadata(6), message: { key: 'k', value: null, partition: 4 } })).toBe(4);
    const chosen = new Set<number>();
    for (let n = 0; n < 12; n += 1) chosen.add(partitioner({ topic: 't', partitionMetadata: metadata(4, [1]), message: { value: null } }));
    expect([...chosen].sort()).toEqual([0, 2, 3]);
  });
});
