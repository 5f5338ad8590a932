/**
 * Seeded 领星 records: the same (seed, type, index) always gives the same document, rendered in the shape the
 * real endpoint returns (snake_case ERP records, camelCase finance rows). The store keeps only what changes over a
 * document's life (modified time, status, refund); everything else is drawn again from the seed when answered.
 */
import { formatBeijingTime } from '@yecai/common';
import { mixSeed, pick, seededRandom } from '@yecai/emulator-kit';
import { SHOPS, WAREHOUSES, currencyDigits, productSku, type Shop } from './world';

export const LINGXING_DOCUMENT_TYPES = [
  'sales_order',
  'sales_outstock',
  'first_leg_shipment',
  'purchase_instock',
  'other_instock',
  'other_outstock',
  'transfer',
  'purchase_return',
  'sales_return',
  'fee_settlement',
  'mp_sales_order',
  'stock_count',
  'material',
] as const;
export type LingxingDocumentType = (typeof LINGXING_DOCUMENT_TYPES)[number];

/** What the store keeps of one document; the rest is regenerated. */
export interface StoredDocument {
  type: LingxingDocumentType;
  index: number;
  id: string;
  createdMs: number;
  modifiedMs: number;
  /** The type's status code or text (Amazon `Shipped`, WMS 3, 入库单 40 …). */
  status: string | number;
  /** Refunded after shipment (Amazon orders, WMS out-stock): `is_return` and the refund amount show it. */
  refunded: boolean;
  /** Settlement rows only: posted (settled) long before a late `gmtModified`. */
  postedMs?: number;
}

/** A number per document type, so each type draws its own documents. */
const typeSalt = (type: string) => [...type].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
const draw = (seed: number, type: string, index: number) => seededRandom(mixSeed(seed, typeSalt(type), index));
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Settlement rows come in settlements of this many rows (a settlement is one shop's, in its currency); a settlement
 * is Closed once all its rows exist. Small, so a test's few dozen rows close a few settlements.
 */
export const SETTLEMENT_ROWS = 20;
export const settlementIndexOf = (rowIndex: number) => Math.floor(rowIndex / SETTLEMENT_ROWS);
export const settlementId = (settlementIndex: number) => String(24_000_000_000 + settlementIndex);
/** The shop a settlement belongs to (every row of it). */
export const settlementShop = (settlementIndex: number) => SHOPS[settlementIndex % SHOPS.length]!;

/** Integer minor units as the API's decimal text (money is never a float). */
export function moneyText(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  if (digits === 0) return String(minor);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${pad(abs % 100, 2)}`;
}

const ID_PREFIX: Record<LingxingDocumentType, string> = {
  sales_order: '',
  sales_outstock: 'WO',
  first_leg_shipment: 'SP',
  purchase_instock: 'RK-PI',
  other_instock: 'RK-OI',
  other_outstock: 'CK-OO',
  transfer: 'DB',
  purchase_return: 'PR',
  sales_return: 'RT',
  fee_settlement: 'FEE',
  mp_sales_order: 'MP',
  stock_count: 'PD',
  material: 'LX-',
};

/** The document's id as its endpoint reports it (Amazon order ids look like 113-1234567-1234567). */
export function documentId(type: LingxingDocumentType, index: number): string {
  if (type === 'sales_order')
    return `${111 + (index % 8)}-${pad(1_000_000 + index, 7)}-${pad((index * 7919) % 10_000_000, 7)}`;
  return `${ID_PREFIX[type]}${pad(index + 1, 8)}`;
}

/** Initial status of a new document of the type. */
export function initialStatus(type: LingxingDocumentType, random: () => number): string | number {
  switch (type) {
    case 'sales_order':
      return pick(random, ['Shipped', 'Shipped', 'Shipped', 'Unshipped', 'Pending']);
    case 'sales_outstock':
      return pick(random, [3, 3, 3, 2, 1]);
    case 'first_leg_shipment':
      return pick(random, [1, 2, 2]);
    case 'purchase_instock':
    case 'other_instock':
    case 'other_outstock':
    case 'purchase_return':
      return pick(random, [40, 40, 40, 20, 10]);
    case 'transfer':
      return pick(random, [40, 40, 20]);
    case 'sales_return':
      return pick(random, ['已完成', '已完成', '待收货']);
    case 'fee_settlement':
      return 'Released';
    case 'mp_sales_order':
      return pick(random, [6, 6, 6, 5, 1]); // 6 已发货, 5 待发货, 1 同步中
    case 'stock_count':
      return pick(random, [3, 3, 1]); // 3 已完成, 1 待盘点
    case 'material':
      return pick(random, [1, 1, 1, 0]); // 1 在售, 0 停售
  }
}

export function newDocument(
  seed: number,
  type: LingxingDocumentType,
  index: number,
  modifiedMs: number,
): StoredDocument {
  const random = draw(seed, type, index);
  const createdMs = modifiedMs - Math.floor(random() * 72) * 3_600_000;
  return {
    type,
    index,
    id: documentId(type, index),
    createdMs,
    modifiedMs,
    status: initialStatus(type, random),
    refunded: false,
    ...(type === 'fee_settlement' ? { postedMs: modifiedMs - Math.floor(random() * 3) * 86_400_000 } : {}),
  };
}

interface Line {
  sku: string;
  quantity: number;
  priceMinor: number;
}

function linesOf(random: () => number, index: number, currency: string): Line[] {
  return Array.from({ length: 1 + Math.floor(random() * 3) }, (_, line) => ({
    sku: productSku(index * 7 + line, Math.floor(random() * 3)),
    quantity: 1 + Math.floor(random() * 5),
    // JPY prices are whole yen of realistic size; others cents.
    priceMinor: currencyDigits(currency) === 0 ? 800 + Math.floor(random() * 9000) : 599 + Math.floor(random() * 9400),
  }));
}

const total = (lines: Line[]) => lines.reduce((sum, line) => sum + line.quantity * line.priceMinor, 0);
const time = (ms: number) => formatBeijingTime(ms);
const localWarehouses = WAREHOUSES.filter((w) => w.type !== 4);
const fbaWarehouse = (shop: Shop) => WAREHOUSES.find((w) => w.wid === 1000 + shop.sid)!;
/** Fee types of a settlement (a few of the 200+ the finance side maps to accounts). */
const FEE_TYPES = [
  { eventType: 'Shipment', type: 'Principal' },
  { eventType: 'Shipment', type: 'Commission' },
  { eventType: 'Shipment', type: 'FBAPerUnitFulfillmentFee' },
  { eventType: 'Refund', type: 'RefundCommission' },
  { eventType: 'ServiceFeeEventList', type: 'FBAStorageFee' },
  { eventType: 'ServiceFeeEventList', type: 'Subscription' },
  { eventType: 'AdvertisingTransaction', type: 'TransactionTotalAmount' },
  // Marketplace-facilitator VAT withheld on the order (EU/UK marketplaces): a tax, kept apart from the fees.
  { eventType: 'Shipment', type: 'MarketplaceFacilitatorVAT-Principal' },
] as const;

/**
 * The record as the endpoint answers it. `uniqueKeySalt` changes between calls: the settlement API re-issues
 * `uniqueKey` for service-fee rows (documented instability) — a connector must not take it as the identity.
 */
export function renderRecord(seed: number, document: StoredDocument, uniqueKeySalt = 0): Record<string, unknown> {
  const { type, index } = document;
  const random = draw(seed, type, index);
  random(); // the draws newDocument used (created time, status), so the rest stays independent of them
  random();
  const drawnShop = pick(random, SHOPS);
  const shop = type === 'fee_settlement' ? settlementShop(settlementIndexOf(index)) : drawnShop;
  const currency = shop.currency;
  const lines = linesOf(random, index, currency);
  const money = (minor: number) => moneyText(minor, currency);
  const created = time(document.createdMs);
  const modified = time(document.modifiedMs);
  const local = pick(random, localWarehouses);
  const items = (extra: (line: Line) => Record<string, unknown> = () => ({})) =>
    lines.map((line) => ({
      sku: line.sku,
      fnsku: `X00${pad(index % 100_000, 5)}${line.sku.slice(-2)}`,
      product_total: line.quantity,
      product_good_num: line.quantity,
      product_bad_num: 0,
      price: moneyText(line.priceMinor * 4, 'CNY'),
      amount: moneyText(line.priceMinor * 4 * line.quantity, 'CNY'),
      ...extra(line),
    }));
  switch (type) {
    case 'sales_order': {
      const refundMinor = document.refunded ? lines[0]!.quantity * lines[0]!.priceMinor : 0;
      // The order list's field set as the PyPI client `lingxingapi` models it (sales/schema.py Order): it validates them.
      const shipped = document.status === 'Shipped';
      const utc = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
      return {
        sid: shop.sid,
        seller_name: shop.name,
        amazon_order_id: document.id,
        sales_channel: `Amazon.${shop.marketplaceDomain}`,
        order_status: document.status,
        fulfillment_channel: random() < 0.8 ? 'AFN' : 'MFN',
        tracking_number: shipped ? `TBA${pad(index, 12)}` : '',
        is_return_order: document.refunded ? 1 : 0,
        is_return: document.refunded ? 1 : 0,
        is_replacement_order: 0,
        is_replaced_order: 0,
        is_mcf_order: 0,
        is_assessed: 0,
        order_total_amount: money(total(lines)),
        order_total_currency_code: currency,
        refund_amount: money(refundMinor),
        buyer_name: '',
        buyer_email: '',
        phone: '',
        address: '',
        postal_code: '',
        purchase_date: `${utc(document.createdMs).replace(' ', 'T')}Z`,
        purchase_date_local_utc: utc(document.createdMs),
        purchase_date_local: created,
        shipment_date: shipped ? created : '',
        shipment_date_utc: shipped ? utc(document.createdMs) : '',
        shipment_date_local: shipped ? created : '',
        earliest_ship_date: created,
        earliest_ship_date_utc: utc(document.createdMs),
        posted_date_utc: utc(document.createdMs),
        posted_date: utc(document.createdMs),
        last_update_date_utc: utc(document.modifiedMs),
        last_update_date: modified,
        gmt_modified: modified,
        gmt_modified_utc: utc(document.modifiedMs),
        item_list: lines.map((line) => ({
          asin: `B0${pad((index * 31 + line.priceMinor) % 100_000_000, 8)}`,
          seller_sku: `M${line.sku}`,
          local_sku: line.sku,
          local_name: `商品 ${line.sku.slice(0, 7)}`,
          quantity_ordered: line.quantity,
          order_status: document.status,
          item_price_amount: money(line.priceMinor * line.quantity),
        })),
      };
    }
    case 'sales_outstock':
      return {
        wo_id: 500_000 + index,
        wo_number: document.id,
        order_number: `1${pad(9_000_000_000 + index, 12)}`,
        platform_order_no: [documentId('sales_order', index)],
        sid: shop.sid,
        wid: local.wid,
        status: document.status,
        logistics_status: document.status === 3 ? 1 : 0,
        tracking_no: document.status === 3 ? `1Z${pad(index, 14)}` : '',
        delivered_at: document.status === 3 ? created : '',
        stock_delivered_at: document.status === 3 ? created : '',
        update_at: modified,
        is_return: document.refunded ? 1 : 0,
        order_currency_code: currency,
        logistics_freight: moneyText(500 + Math.floor(random() * 3000), 'CNY'),
        logistics_freight_currency_code: 'CNY',
        product_info: lines.map((line, position) => ({
          wod_id: (500_000 + index) * 10 + position,
          product_id: 10_000 + (index % 60),
          sku: line.sku,
          seller_sku: `M${line.sku}`,
          count: line.quantity,
          unit_price: money(line.priceMinor),
          currency_code: currency,
          stock_cost: moneyText(line.priceMinor * 3 * line.quantity, 'CNY'),
        })),
      };
    case 'first_leg_shipment':
      return {
        shipment_sn: document.id,
        status: document.status,
        sid: shop.sid,
        wid: local.wid,
        to_wid: fbaWarehouse(shop).wid,
        shipment_id: `FBA${pad(17_000_000 + index, 9)}`,
        logistics_fee: moneyText(2000 + Math.floor(random() * 50_000), 'CNY'),
        logistics_fee_currency: 'CNY',
        create_time: created,
        update_time: modified,
        relate_list: items((line) => ({ purchase_order_sn: `PO${pad(index, 8)}`, quantity_shipped: line.quantity })),
      };
    case 'purchase_instock':
    case 'other_instock':
    case 'other_outstock': {
      const inbound = type !== 'other_outstock';
      return {
        order_sn: document.id,
        type: type === 'purchase_instock' ? 2 : inbound ? 1 : 11,
        status: document.status,
        wid: (type === 'other_outstock' ? local : pick(random, localWarehouses)).wid,
        create_time: created,
        opt_time: document.status === 40 ? modified : '',
        increment_time: modified,
        purchase_order_sn: type === 'purchase_instock' ? `PO${pad(index, 8)}` : '',
        supplier_id: type === 'purchase_instock' ? 300 + (index % 12) : 0,
        currency: 'CNY',
        remark: '',
        item_list: items((line) => ({ single_stock_cost: moneyText(line.priceMinor * 3, 'CNY') })),
      };
    }
    case 'transfer': {
      const from = local;
      const to =
        random() < 0.5
          ? fbaWarehouse(shop)
          : pick(
              random,
              localWarehouses.filter((w) => w.wid !== from.wid),
            );
      return {
        order_sn: document.id,
        wid: from.wid,
        to_wid: to.wid,
        status: document.status,
        create_time: created,
        increment_time: modified,
        outbound_order_sn: `CK-DB${pad(index + 1, 8)}`,
        inbound_order_sn: document.status === 40 ? `RK-DB${pad(index + 1, 8)}` : '',
        item_list: items((line) => ({ good_num: line.quantity, bad_num: 0 })),
      };
    }
    case 'purchase_return':
      return {
        order_sn: document.id,
        status: document.status,
        supplier_id: 300 + (index % 12),
        purchase_currency: 'CNY',
        create_time: created,
        last_time: modified,
        item_list: items((line) => ({ return_good_num: line.quantity })),
      };
    case 'sales_return':
      return {
        return_sn: document.id,
        platform_code: pick(random, ['10008', '10011', '10024']), // Walmart, Shopify, TikTok
        store_id: 7000 + (index % 5),
        status: document.status,
        currency,
        refund_amount: money(total(lines)),
        create_time: created,
        update_time: modified,
        items: lines.map((line) => ({
          sku: line.sku,
          quantity: line.quantity,
          refund_amount: money(line.priceMinor * line.quantity),
        })),
      };
    case 'fee_settlement': {
      const fee = FEE_TYPES[index % FEE_TYPES.length]!;
      const shipmentFee = fee.eventType !== 'ServiceFeeEventList' && fee.eventType !== 'AdvertisingTransaction';
      const amount = fee.type === 'Principal' ? total(lines) : -(50 + Math.floor(random() * 2000));
      const keyRandom = seededRandom(mixSeed(seed, index, fee.eventType === 'ServiceFeeEventList' ? uniqueKeySalt : 0));
      return {
        uniqueKey: `${pad(Math.floor(keyRandom() * 1e9), 9)}${pad(index, 8)}`,
        sid: shop.sid,
        settlementId: settlementId(settlementIndexOf(index)),
        amazonOrderId: shipmentFee ? documentId('sales_order', index) : '',
        sellerSku: shipmentFee ? `M${lines[0]!.sku}` : '',
        localSku: shipmentFee ? lines[0]!.sku : '',
        eventType: fee.eventType,
        type: fee.type,
        postedDateLocale: time(document.postedMs ?? document.createdMs),
        currencyCode: currency,
        currencyAmount: money(amount),
        quantity: shipmentFee ? lines[0]!.quantity : 0,
        gmtModified: modified,
      };
    }
    case 'mp_sales_order':
      return {
        global_order_no: document.id,
        platform_code: pick(random, ['10008', '10011', '10024']), // Walmart, Shopify, TikTok
        store_id: String(7000 + (index % 5)),
        status: document.status,
        order_currency: currency,
        order_amount: money(total(lines)),
        global_purchase_time: Math.floor(document.createdMs / 1000),
        update_time: modified,
        item_info: lines.map((line, position) => ({
          id: index * 10 + position,
          local_sku: line.sku,
          quantity: line.quantity,
          unit_price: money(line.priceMinor),
        })),
      };
    case 'stock_count':
      return {
        order_sn: document.id,
        wid: local.wid,
        status: document.status,
        check_type: pick(random, [1, 2]), // 1 全盘, 2 抽盘
        create_time: created,
        check_time: document.status === 3 ? modified : '',
        update_time: modified,
        item_list: lines.map((line) => {
          const counted = line.quantity + Math.floor(random() * 5) - 2;
          return {
            sku: line.sku,
            book_num: line.quantity * 10,
            check_num: line.quantity * 10 + counted - line.quantity,
            diff_num: counted - line.quantity,
          };
        }),
      };
    case 'material':
      // lingxingapi's Product model: update_time and create_time are unix seconds.
      return {
        id: 10_000 + index,
        sku: document.id,
        sku_identifier: '',
        product_name: `商品 ${document.id}`,
        cid: 3 + (index % 4),
        category_name: pick(random, ['服饰', '家居', '数码', '户外']),
        unit: 'Pcs',
        status: document.status,
        status_text: document.status === 1 ? '在售' : '停售',
        is_combo: 0,
        open_status: 1,
        ps_id: 900 + Math.floor(index / 3), // parent product (SPU): three colour variants each
        spu: `SPU-${pad(Math.floor(index / 3), 4)}`,
        cg_price: moneyText(lines[0]!.priceMinor * 3, 'CNY'),
        create_time: Math.floor(document.createdMs / 1000),
        update_time: Math.floor(document.modifiedMs / 1000),
      };
  }
}

/** The field the endpoint reports the document's last change in (what the connector's cursor follows). */
export const MODIFIED_FIELD: Record<LingxingDocumentType, string> = {
  sales_order: 'gmt_modified',
  sales_outstock: 'update_at',
  first_leg_shipment: 'update_time',
  purchase_instock: 'increment_time',
  other_instock: 'increment_time',
  other_outstock: 'increment_time',
  transfer: 'increment_time',
  purchase_return: 'last_time',
  sales_return: 'update_time',
  fee_settlement: 'gmtModified',
  mp_sales_order: 'update_time',
  stock_count: 'update_time',
  material: 'update_time',
};
