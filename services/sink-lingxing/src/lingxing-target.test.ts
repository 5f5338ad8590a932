import { createLogger } from '@yecai/common';
import { PRODUCT_ERRORS } from '@yecai/emulator-lingxing';
import { omsGoods, sinkConfigFor, startEmulator } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { LINGXING_FORM_OF, LingxingTarget, problemOf, productOf } from './lingxing-target';
import { createTransport } from './service';

describe('领星 target: what a material becomes and how 领星 refusals are read', () => {
  it('writes an oms_goods event as one product/set body keyed by sku, with only the fields the material has', () => {
    expect(productOf({ ...omsGoods('M-1'), barcode: '6901234567892' })).toEqual({
      sku: 'M-1',
      product_name: '商品 M-1 v1',
      unit: 'Pcs',
      model: '红色;M',
      status: 1,
    });
    expect(productOf({ ...omsGoods('M-2'), specification: null, unit: '', enabled: false })).toEqual({ sku: 'M-2', product_name: '商品 M-2 v1', status: 0 });
  });

  it('refuses, naming the field, an event without a product code', () => {
    expect(() => productOf({ ...omsGoods('M-1'), sku: '' })).toThrow(expect.objectContaining({ field: 'sku' }));
    expect(() => productOf({ ...omsGoods('M-1'), sku: 'A|B' })).toThrow(expect.objectContaining({ field: 'sku' }));
  });

  it("reads the emulator's refusal texts as level-1 problems naming the canonical field, in Chinese and English", () => {
    expect(problemOf(PRODUCT_ERRORS.productName('M-1'))).toMatchObject({ level: 1, field: 'name', code: 'LINGXING_NAME_INVALID' });
    expect(problemOf(PRODUCT_ERRORS.status('M-1'))).toMatchObject({ level: 1, field: 'enabled' });
    expect(problemOf(PRODUCT_ERRORS.sku)).toMatchObject({ level: 1, field: 'sku' });
    expect(problemOf(PRODUCT_ERRORS.text('M-1', 'unit'))).toMatchObject({ level: 1, field: 'unit' });
    const unknown = problemOf('接口不存在', 'LINGXING_NO_SUCH_API');
    expect(unknown).toMatchObject({ level: 1, code: 'LINGXING_NO_SUCH_API' });
    expect(unknown.message).toMatch(/领星拒绝了产品.*LingXing refused the product/);
  });

  it('config: the key is the sku and not configurable; secrets are env:/file: references', () => {
    const base = { lingxing: { name: 'main', appId: 'ak_0123456789abc', appSecret: 'env:LX_SECRET' }, flows: [{ documentType: 'oms_goods' }] };
    expect(parseSinkConfig(base, 'test').flows[0]!.billNumberPattern).toBe('{sku}');
    expect(() => parseSinkConfig({ ...base, flows: [{ documentType: 'oms_goods', billNumberPattern: '{name}' }] }, 'test')).toThrow(/billNumberPattern/);
    expect(() => parseSinkConfig({ ...base, lingxing: { ...base.lingxing, appSecret: 'plain' } }, 'test')).toThrow(/appSecret/);
  });
});

describe('领星 target against the emulator: how each answer is classified', () => {
  it('a refused product is level 1 naming the field; 3001008 and a 502 are level 3 (the sink pauses, nothing parked)', async () => {
    const emulator = await startEmulator();
    try {
      const transport = createTransport(parseSinkConfig(sinkConfigFor(emulator), 'test'), createLogger('test'));
      const target = new LingxingTarget({ transport, account: 'main' });
      const write = (body: Record<string, unknown>) => transport.call(LINGXING_FORM_OF.oms_goods.write, body).then(() => undefined, (error: unknown) => error);

      const refused = (await write({ sku: 'C-1' })) as Error & { code: string; level: number };
      expect({ level: refused.level, unavailable: target.isUnavailable(refused) }).toEqual({ level: 1, unavailable: false });
      expect(problemOf(refused.message, refused.code)).toMatchObject({ level: 1, field: 'name' });

      emulator.setFaults({ throttleBurst: 1 });
      expect(target.isUnavailable(await write(productOf(omsGoods('C-2'))))).toBe(true);
      emulator.setFaults({ serverErrorBurst: 1 });
      expect(target.isUnavailable(await write(productOf(omsGoods('C-3'))))).toBe(true);
      expect(emulator.products.list()).toEqual([]);
      // Answered again: written, and the probe (a read of a sku that does not exist) passes.
      expect(await write(productOf(omsGoods('C-3')))).toBeUndefined();
      await expect(target.probe()).resolves.toBeUndefined();
    } finally {
      await emulator.close();
    }
  });
});
