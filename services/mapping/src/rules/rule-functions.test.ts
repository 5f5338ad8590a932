import { allocateBySales } from './rule-functions';

const fields = { sku: 'sku', amount: 'amount' };

describe('$allocateBySales', () => {
  it('keeps SKU fees on their SKU and splits a shop fee by sales, the parts summing exactly', () => {
    const lines = allocateBySales(
      [
        { type: 'Commission', sku: 'A', amount: '-3.10' },
        { type: 'Storage', amount: '-100.01' },
      ],
      [
        { sku: 'A', amount: '20.00' },
        { sku: 'B', amount: '5.00' },
        { sku: 'A', amount: '0.00' },
        { sku: 'B', amount: '5.00' },
      ],
      fields,
      2,
    );
    expect(lines).toEqual([
      { type: 'Commission', sku: 'A', amount: '-3.10', allocation: 'direct' },
      { type: 'Storage', sku: 'A', amount: '-66.67', allocation: 'sales_amount', allocationWeight: '20' },
      { type: 'Storage', sku: 'B', amount: '-33.34', allocation: 'sales_amount', allocationWeight: '10' },
    ]);
  });

  it('rounds to the currency digits (JPY whole yen) and ignores SKUs whose sales net to zero or less', () => {
    const lines = allocateBySales(
      { type: 'Ads', amount: '1000' },
      [
        { sku: 'A', amount: '100' },
        { sku: 'B', amount: '200' },
        { sku: 'C', amount: '400' },
        { sku: 'D', amount: '50' },
        { sku: 'D', amount: '-50' },
      ],
      fields,
      0,
    );
    expect(lines.map((line) => [line.sku, line.amount])).toEqual([
      ['A', '143'],
      ['B', '286'],
      ['C', '571'],
    ]);
  });

  it('leaves a shop fee whole when the settlement has no sales', () => {
    expect(allocateBySales([{ type: 'Subscription', amount: '-39.99' }], [], fields, 2)).toEqual([
      { type: 'Subscription', amount: '-39.99', allocation: 'unallocated' },
    ]);
  });

  it('names the field when the field names or an amount are wrong', () => {
    expect(() => allocateBySales([], [], { sku: 'sku' }, 2)).toThrow(/fields\.amount/);
    expect(() => allocateBySales([{ amount: 'x' }], [{ sku: 'A', amount: '1' }], fields, 2)).toThrow(/fees\[0\]\.amount/);
  });
});
