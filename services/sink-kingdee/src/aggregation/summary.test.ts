import { ValidationError } from '@yecai/common';
import { canonical } from '../../test/fixtures';
import { parseSinkConfig } from '../config';
import { AggregationConfigSchema } from '@yecai/sink-kit';
import { closeAtOf, planBills, renderSummaryNumber, sliceDocument, summaryDocument, type ClosedMember } from '@yecai/sink-kit';

const config = AggregationConfigSchema.parse({ groupBy: ['customer', 'lines.warehouse', 'date'] });

function member(sourceId: string, options: Parameters<typeof canonical>[2] = {}): ClosedMember {
  const document = canonical('sales_outstock', sourceId, options);
  return { memberId: `m-${sourceId}`, documentKey: `k/${sourceId}`, version: 'v1', billNumber: sourceId, canonical: document };
}

describe('aggregation: grouping', () => {
  it('puts documents with the same shop, warehouse and date in one group, others apart', () => {
    const [a] = sliceDocument('sales_outstock', config, canonical('sales_outstock', 'A'));
    const [b] = sliceDocument('sales_outstock', config, canonical('sales_outstock', 'B'));
    const [otherShop] = sliceDocument('sales_outstock', config, canonical('sales_outstock', 'C', { customer: 'JD-YS01' }));
    const [otherDay] = sliceDocument('sales_outstock', config, canonical('sales_outstock', 'D', { date: '2026-11-21' }));
    expect(a!.keyHash).toBe(b!.keyHash);
    expect(new Set([a!.keyHash, otherShop!.keyHash, otherDay!.keyHash]).size).toBe(3);
    expect(a!.key).toEqual({ customer: 'TM-YS01', warehouse: 'CK001', date: '2026-11-20' });
  });

  it('splits a document whose lines are in two warehouses into two slices, each line once', () => {
    const slices = sliceDocument('sales_outstock', config, canonical('sales_outstock', 'W', { lines: [{ warehouse: 'CK001' }, { warehouse: 'CK002' }, { warehouse: 'CK001', material: 'A1002-WHT' }] }));
    expect(slices.map((slice) => slice.lineIndexes)).toEqual([[0, 2], [1]]);
  });

  it('refuses a document without a key value, naming the field', () => {
    const bad = canonical('sales_outstock', 'X', { lines: [{ warehouse: null }] });
    expect(() => sliceDocument('sales_outstock', config, bad)).toThrow(ValidationError);
    expect(() => sliceDocument('sales_outstock', config, bad)).toThrow(/lines\.0\.warehouse/);
  });

  it('closes T+1 02:00 Beijing time by default', () => {
    expect(closeAtOf('2026-11-11', config.close).toISOString()).toBe('2026-11-11T18:00:00.000Z');
    expect(closeAtOf('2026-11-11', { afterDays: 0, at: '23:30' }).toISOString()).toBe('2026-11-11T15:30:00.000Z');
  });
});

describe('aggregation: summary bills', () => {
  it('sums the same item across documents and traces each document to its entry rows', () => {
    const members = [member('S1', { lines: [{ qty: '2' }, { material: 'A1002-WHT', qty: '1' }] }), member('S2', { lines: [{ qty: '3' }] })];
    const [bill, ...rest] = planBills(members, 'sum', 10);
    expect(rest).toHaveLength(0);
    expect(bill!.lines.map((line) => [line.material, line.quantity])).toEqual([
      ['A1001-BLK', '5'],
      ['A1002-WHT', '1'],
    ]);
    expect(bill!.members.map((placement) => placement.entries)).toEqual([[1, 2], [1]]);
  });

  it('lists one entry per source line (noted with its source number) and splits at maxEntries without splitting a document', () => {
    const members = [member('L1', { lines: [{}, {}] }), member('L2', { lines: [{}] }), member('L3', { lines: [{}, {}] })];
    const bills = planBills(members, 'list', 3);
    expect(bills.map((bill) => bill.members.map((placement) => placement.billNumber))).toEqual([['L1', 'L2'], ['L3']]);
    expect(bills[0]!.lines.map((line) => line.note)).toEqual(['L1', 'L1', 'L2']);
    expect(bills[1]!.members[0]!.entries).toEqual([1, 2]);
  });

  it('builds a summary document with a synthetic identity and renders a deterministic number', () => {
    const members = [member('N1'), member('N2')];
    const [bill] = planBills(members, 'sum', 10);
    const number = renderSummaryNumber('HZ-{customer}-{date}-{keyHash}-{seq}', { keyHash: 'ABCDEF012345', seq: 2, date: '2026-11-20', documentType: 'sales_outstock', key: { customer: 'TM-YS01' } });
    expect(number).toBe('HZ-TM-YS01-20261120-ABCDEF012345-002');
    const document = summaryDocument(members[0]!.canonical, number, bill!, { flow: 'sales_outstock', keyHash: 'ABCDEF012345', key: {}, billSeq: 2 }, new Date(0));
    expect(document.billNumber).toBe(number);
    expect((document.source as Record<string, unknown>).sourceId).toBe(number);
    expect(document.onlineOrderNumber).toBeNull();
    const again = summaryDocument(members[0]!.canonical, number, bill!, { flow: 'sales_outstock', keyHash: 'ABCDEF012345', key: {}, billSeq: 2 }, new Date(0));
    expect(again).toEqual(document);
  });

  it('config errors name the field', () => {
    const base = { kingdee: {}, flows: [{ documentType: 'stock_count', aggregation: { billNumberPattern: 'HZ-{seq}', groupBy: ['date'] } }] };
    expect(() => parseSinkConfig(base)).toThrow(/flows\.0\.aggregation.*cannot be aggregated/s);
    expect(() => parseSinkConfig(base)).toThrow(/flows\.0\.aggregation\.billNumberPattern.*\{keyHash\}/s);
    expect(() => parseSinkConfig({ kingdee: {}, flows: [{ documentType: 'sales_outstock', aggregation: { maxEntries: 0 } }] })).toThrow(/flows\.0\.aggregation\.maxEntries/);
  });
});
