import { createHash } from 'node:crypto';
import { ENTITY_KEYS, parseReverseKey, type MasterDataLookup } from '@yecai/master-data';
import type { RawInput } from './engine';

/** Master data of the §2 scenario: shop 10086 → customer C10086 delivered by org 101; warehouse 100001 → CK01. */
export const SECTION2_MASTER_DATA: Record<string, Record<string, Record<string, unknown>>> = {
  shop: { 'jushuitan/10086': { customerNumber: 'C10086', deliveryOrg: '101' } },
  warehouse: {
    'jushuitan/100001': { kingdeeStockNumber: 'CK01', stockOrg: '100' },
    'jushuitan/100002': { kingdeeStockNumber: 'CK02', stockOrg: '200' },
  },
  sku: {
    'jushuitan/A001-RED-M': { materialNumber: 'M-A001-RED-M', unit: 'Pcs' },
    'jushuitan/G002-BLK': { materialNumber: 'M-G002-BLK', unit: 'Pcs' },
    'jushuitan/X003': { materialNumber: 'M-X003', unit: 'Box' },
  },
  currency: { RMB: { kingdeeCurrencyNumber: 'PRE001' } },
  supplier: { 'jushuitan/3001': { kingdeeSupplierNumber: 'VEN3001' } },
};

/** A plain in-memory lookup for pure unit tests of the rule engine. */
export function memoryLookup(data = SECTION2_MASTER_DATA): MasterDataLookup & { data: typeof data } {
  return {
    data,
    get: async (entity, key) => {
      const reverse = parseReverseKey(key);
      if (!reverse) return data[entity]?.[key] ?? null;
      // As the store: the one record of that system whose field holds the value (none or several → null).
      const matches = Object.entries(data[entity] ?? {}).filter(
        ([stored, record]) => stored.startsWith(`${reverse.system}/`) && record[reverse.field] === reverse.value,
      );
      if (matches.length !== 1) return null;
      const [stored, record] = matches[0]!;
      return { ...record, sourceSystem: reverse.system, [ENTITY_KEYS[entity][1]!]: stored.slice(reverse.system.length + 1) };
    },
  };
}

export function rawInput(documentType: string, payload: unknown, overrides: Partial<RawInput> = {}): RawInput {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const id = (payload as { io_id?: unknown; as_id?: unknown })?.io_id ?? (payload as { as_id?: unknown })?.as_id ?? 'x';
  return {
    sourceSystem: 'jushuitan',
    account: 'main',
    documentType,
    sourceId: String(id),
    sourceModifiedAt: Date.parse('2024-01-01T02:05:00Z'),
    contentHash: createHash('sha256').update(text).digest('hex'),
    payload: text,
    rawTopic: `yecai.raw.jushuitan.${documentType}`,
    rawPartition: 0,
    rawOffset: 7,
    ...overrides,
  };
}

/** JST 销售出库单 as the API returns it (source-apis.md §2.7). */
export function jstSalesOutStock(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    io_id: 20240001, o_id: 880001, so_id: 'T2024010100001', shop_id: 10086, shop_name: '天猫旗舰店',
    wms_co_id: 100001, io_date: '2024-01-01 10:00:00', modified: '2024-01-01 10:05:00', status: 'Confirmed',
    l_id: 'SF1234567890', logistics_company: '顺丰速运', currency: 'CNY', ts: 123456789012,
    items: [
      { ioi_id: 1, sku_id: 'A001-RED-M', i_id: 'A001', qty: 2, sale_price: 59.5, sale_amount: 119.0, outer_oi_id: 'T2024010100001-1', is_gift: false },
      { ioi_id: 2, sku_id: 'G002-BLK', i_id: 'G002', qty: 1, sale_price: 0.1, sale_amount: 0.1, is_gift: false },
      { ioi_id: 3, sku_id: 'X003', i_id: 'X003', qty: 3, sale_price: 10, sale_amount: 30, is_gift: true },
    ],
    ...overrides,
  };
}

/** JST 实际收货 (退货入库, /open/aftersale/received/query) of 售后单 30000001, as the API returns it (source-apis.md §2.8). */
export function jstReturn(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    io_id: 40000001, o_id: 880001, so_id: 'T2024010100001', as_id: 30000001, shop_id: 10086, shop_name: '天猫旗舰店',
    io_date: '2024-01-06 14:20:00', modified: '2024-01-06 14:30:00', status: 'Confirmed', wh_id: 2, wms_co_id: 100001,
    items: [
      { ioi_id: 11, sku_id: 'A001-RED-M', i_id: 'A001', qty: 1, sale_price: 59.5, sale_amount: 59.5, batch_id: '0' },
      { ioi_id: 12, sku_id: 'G002-BLK', i_id: 'G002', qty: 0, sale_price: 0.1, sale_amount: 0, batch_id: null },
      { ioi_id: 13, sku_id: 'X003', i_id: 'X003', qty: 1, sale_price: 10, sale_amount: 10, batch_id: null },
    ],
    ...overrides,
  };
}
