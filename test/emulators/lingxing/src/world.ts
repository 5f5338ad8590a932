/**
 * The tenant's master data: Amazon shops in several marketplaces and currencies, local, overseas and FBA warehouses,
 * products with parent/child variants, and the monthly currency table. Fixed, so tests can name them.
 */
export interface Shop {
  sid: number;
  mid: number;
  name: string;
  seller_id: string;
  region: string;
  country: string;
  marketplace_id: string;
  currency: string;
  /** Amazon.<domain>, the order's sales channel. */
  marketplaceDomain: string;
  status: number;
}

export const SHOPS: readonly Shop[] = [
  {
    sid: 101,
    mid: 1,
    name: 'Acme-US',
    seller_id: 'A1SELLERUS',
    region: 'NA',
    country: '美国',
    marketplace_id: 'ATVPDKIKX0DER',
    currency: 'USD',
    marketplaceDomain: 'com',
    status: 1,
  },
  {
    sid: 102,
    mid: 6,
    name: 'Acme-CA',
    seller_id: 'A1SELLERUS',
    region: 'NA',
    country: '加拿大',
    marketplace_id: 'A2EUQ1WTGCTBG2',
    currency: 'CAD',
    marketplaceDomain: 'ca',
    status: 1,
  },
  {
    sid: 103,
    mid: 3,
    name: 'Acme-UK',
    seller_id: 'A2SELLEREU',
    region: 'EU',
    country: '英国',
    marketplace_id: 'A1F83G8C2ARO7P',
    currency: 'GBP',
    marketplaceDomain: 'co.uk',
    status: 1,
  },
  {
    sid: 104,
    mid: 4,
    name: 'Acme-DE',
    seller_id: 'A2SELLEREU',
    region: 'EU',
    country: '德国',
    marketplace_id: 'A1PA6795UKMFR9',
    currency: 'EUR',
    marketplaceDomain: 'de',
    status: 1,
  },
  {
    sid: 105,
    mid: 5,
    name: 'Acme-FR',
    seller_id: 'A2SELLEREU',
    region: 'EU',
    country: '法国',
    marketplace_id: 'A13V1IB3VIYZZH',
    currency: 'EUR',
    marketplaceDomain: 'fr',
    status: 1,
  },
  {
    sid: 106,
    mid: 7,
    name: 'Acme-JP',
    seller_id: 'A3SELLERJP',
    region: 'FE',
    country: '日本',
    marketplace_id: 'A1VC38T7YXB528',
    currency: 'JPY',
    marketplaceDomain: 'co.jp',
    status: 1,
  },
];

/** type: 1 本地仓, 3 海外仓, 4 亚马逊平台仓 (FBA, one per shop). */
export interface Warehouse {
  wid: number;
  name: string;
  type: 1 | 3 | 4;
  is_delete: 0 | 1;
}

export const WAREHOUSES: readonly Warehouse[] = [
  { wid: 1, name: '深圳本地仓', type: 1, is_delete: 0 },
  { wid: 2, name: '东莞退货仓', type: 1, is_delete: 0 },
  { wid: 11, name: '美西海外仓', type: 3, is_delete: 0 },
  { wid: 12, name: '德国海外仓', type: 3, is_delete: 0 },
  ...SHOPS.map((shop) => ({
    wid: 1000 + shop.sid,
    name: `${shop.name} FBA仓`,
    type: 4 as const,
    is_delete: 0 as const,
  })),
];

/** Monthly rates to CNY: `rate_org` official, `my_rate` the tenant's own. Decimal text, never floats. */
export const CURRENCY_RATES: ReadonlyArray<{ code: string; name: string; rate_org: string; my_rate: string }> = [
  { code: 'CNY', name: '人民币', rate_org: '1.0000', my_rate: '1.0000' },
  { code: 'USD', name: '美元', rate_org: '7.1884', my_rate: '7.2000' },
  { code: 'CAD', name: '加拿大元', rate_org: '5.2615', my_rate: '5.2600' },
  { code: 'GBP', name: '英镑', rate_org: '9.1420', my_rate: '9.1500' },
  { code: 'EUR', name: '欧元', rate_org: '7.8012', my_rate: '7.8000' },
  { code: 'JPY', name: '日元', rate_org: '0.0489', my_rate: '0.0490' },
];

/** Minor units per currency (JPY has none). */
export const currencyDigits = (currency: string) => (currency === 'JPY' ? 0 : 2);

/** 60 parent products, each with 1–3 child SKUs (colour variants). */
export const PRODUCT_COUNT = 60;
export function productSku(index: number, variant: number): string {
  return `SKU-${String(index % PRODUCT_COUNT).padStart(3, '0')}-${['BK', 'WH', 'RD'][variant % 3]}`;
}
