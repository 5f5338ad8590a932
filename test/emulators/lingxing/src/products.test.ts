/** 领星 emulator: product/set (本地产品 upsert by sku) — refusals naming the field, create vs update, productList, faults. */
import { PRODUCT_ERRORS, PRODUCT_SET_PATH } from './products';
import { startLingxingEmulator, type LingxingEmulator } from './server';
import { call, token } from './test-client';

const PRODUCT_LIST = '/erp/sc/routing/data/local_inventory/productList';

describe('领星 emulator: product/set', () => {
  let emulator: LingxingEmulator;
  let accessToken: string;
  beforeEach(async () => {
    emulator = await startLingxingEmulator({ seed: 3 });
    accessToken = (await token(emulator)).data.access_token as string;
  });
  afterEach(() => emulator.close());
  const set = (body: Record<string, unknown>) => call(emulator, accessToken, PRODUCT_SET_PATH, body);

  it('creates a new sku, updates an existing one in place, and productList by sku_list shows the latest', async () => {
    const created = await set({ sku: 'M-1', product_name: '商品一', unit: 'Pcs', model: '红色;M', status: 1 });
    expect(created).toMatchObject({ code: 0, message: 'success', data: { sku: 'M-1' } });
    const updated = await set({ sku: 'M-1', product_name: '商品一 v2', status: 0 });
    expect(updated.data.product_id).toBe(created.data.product_id);
    expect(emulator.products.writes.map((write) => write.kind)).toEqual(['created', 'updated']);

    const listed = await call(emulator, accessToken, PRODUCT_LIST, { sku_list: ['M-1', 'NOPE'], offset: 0, length: 20 });
    expect(listed).toMatchObject({ code: 0, total: 1 });
    // Fields not sent keep their value (unit, model); sent ones change.
    expect(listed.data[0]).toMatchObject({ sku: 'M-1', product_name: '商品一 v2', unit: 'Pcs', model: '红色;M', status: 0, status_text: '停售' });
  });

  it('refuses, with code 102 naming the field, a missing sku, a new sku without product_name and a bad status; nothing is written', async () => {
    expect(await set({ product_name: 'x' })).toMatchObject({ code: 102, message: expect.stringContaining(PRODUCT_ERRORS.sku) });
    expect(await set({ sku: 'M-2' })).toMatchObject({ code: 102, message: expect.stringContaining('product_name') });
    expect(await set({ sku: 'M-2', product_name: 'x', status: 5 })).toMatchObject({ code: 102, message: expect.stringContaining('status') });
    expect(emulator.products.list()).toEqual([]);
  });

  it('lostAnswerNext applies the write and cuts the connection; down answers 503 and writes nothing', async () => {
    emulator.setFaults({ lostAnswerNext: 1 });
    await expect(set({ sku: 'M-3', product_name: '商品三' })).rejects.toThrow();
    expect(emulator.products.get('M-3')).toMatchObject({ product_name: '商品三' });

    emulator.setFaults({ down: true });
    const response = await fetch(`${emulator.url}${PRODUCT_SET_PATH}`, { method: 'POST' });
    expect(response.status).toBe(503);
    emulator.setFaults({ down: false });
    expect(emulator.products.writes).toHaveLength(1);
  });
});
