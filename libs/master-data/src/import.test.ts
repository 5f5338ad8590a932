import { parseRows, validateRows } from './import';
import { keyOf } from './entities';

describe('master-data import validation', () => {
  it('reports every bad CSV row with its row number and field, and keeps the good ones', () => {
    const csv = 'sourceSystem,sourceCode,kingdeeStockNumber,stockOrg\njushuitan,100001,CK01,100\njushuitan,100002,,100\nwdt,100003,CK03,100\n';
    const { rows } = parseRows(csv, 'csv');
    const { valid, errors } = validateRows('warehouse', rows);
    expect(valid.map((record) => keyOf('warehouse', record))).toEqual(['jushuitan/100001']);
    expect(errors).toEqual([
      { row: 2, field: 'kingdeeStockNumber', message: expect.any(String), code: 'invalid_type' },
      { row: 3, field: 'sourceSystem', message: expect.any(String), code: 'invalid_value' },
    ]);
  });

  it('names an unknown column instead of ignoring it', () => {
    const { errors } = validateRows('currency', [{ code: 'RMB', kingdeeCurrencyNumber: 'PRE001', rate: '1' }]);
    expect(errors[0]).toMatchObject({ row: 1, field: '(row)', message: expect.stringContaining('rate') });
  });

  it('requires fixedBatch when a SKU batch rule is fixed', () => {
    const { errors } = validateRows('sku', [{ sourceSystem: 'jushuitan', skuCode: 'A1', materialNumber: 'M1', unit: 'Pcs', batchRule: 'fixed' }]);
    expect(errors).toEqual([{ row: 1, field: 'fixedBatch', message: 'required when batchRule is fixed', code: 'custom' }]);
  });

  it('reports a broken file as row 0 rather than importing part of it', () => {
    expect(parseRows('{"a":', 'json').error).toMatchObject({ row: 0, field: '(file)' });
    expect(parseRows('{"a":1}', 'json').error).toMatchObject({ row: 0, field: '(root)' });
    expect(parseRows('a,b\n"unterminated', 'csv').error).toMatchObject({ row: 0 });
  });
});
