/**
 * Seeded 赛狐 records: the same (seed, type, index) always gives the same record. A cross-border seller with Amazon
 * shops in six marketplaces (USD, CAD, GBP, EUR ×2, JPY), a Shopify/Walmart multi-platform side, and the three kinds
 * of warehouse (国内自有仓, FBA, 第三方海外仓). Numbers and ids are strings, as the API sends them; money is decimal text
 * computed in integer minor units (never a float).
 */
import { formatBeijingTime } from '@yecai/common';
import { mixSeed, pick, seededRandom } from '@yecai/emulator-kit';
import type { SaihuDocumentType } from './endpoints';

export interface SaihuShop {
  id: string;
  name: string;
  sellerId: string;
  region: string;
  marketplaceId: string;
  currency: string;
}

export const SAIHU_SHOPS: readonly SaihuShop[] = [
  { id: '8', name: 'Acme-US', sellerId: 'A1ACMEUS0001', region: 'NA', marketplaceId: 'ATVPDKIKX0DER', currency: 'USD' },
  {
    id: '9',
    name: 'Acme-CA',
    sellerId: 'A1ACMEUS0001',
    region: 'NA',
    marketplaceId: 'A2EUQ1WTGCTBG2',
    currency: 'CAD',
  },
  {
    id: '12',
    name: 'Acme-UK',
    sellerId: 'A2ACMEEU0002',
    region: 'EU',
    marketplaceId: 'A1F83G8C2ARO7P',
    currency: 'GBP',
  },
  {
    id: '13',
    name: 'Acme-DE',
    sellerId: 'A2ACMEEU0002',
    region: 'EU',
    marketplaceId: 'A1PA6795UKMFR9',
    currency: 'EUR',
  },
  {
    id: '14',
    name: 'Acme-FR',
    sellerId: 'A2ACMEEU0002',
    region: 'EU',
    marketplaceId: 'A13V1IB3VIYZZH',
    currency: 'EUR',
  },
  {
    id: '20',
    name: 'Acme-JP',
    sellerId: 'A3ACMEJP0003',
    region: 'FE',
    marketplaceId: 'A1VC38T7YXB528',
    currency: 'JPY',
  },
];

/** type: 1 国内仓, 2 FBA, 3 海外仓 (third party), as §5.4 documents. */
export const SAIHU_WAREHOUSES = [
  { id: '101', name: '深圳自有仓', type: '1', thirdParty: false },
  { id: '201', name: 'FBA-US', type: '2', thirdParty: false },
  { id: '202', name: 'FBA-EU', type: '2', thirdParty: false },
  { id: '203', name: 'FBA-JP', type: '2', thirdParty: false },
  { id: '301', name: '谷仓美西仓', type: '3', thirdParty: true },
  { id: '302', name: '万邑通英国仓', type: '3', thirdParty: true },
] as const;

/** Rate to CNY × 10,000 (the emulator's fixed table for converting settlement rows). */
export const RATES_TO_CNY: Record<string, bigint> = {
  CNY: 10000n,
  USD: 71200n,
  CAD: 52300n,
  GBP: 90100n,
  EUR: 77500n,
  JPY: 480n,
};
const DECIMALS: Record<string, number> = { JPY: 0 };
const decimalsOf = (currency: string) => DECIMALS[currency] ?? 2;

/** Minor units as the API's decimal text: 3998 USD → "39.98", -150 → "-1.50", 1980 JPY → "1980". */
export function moneyText(minor: bigint, currency: string): string {
  const decimals = decimalsOf(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const text = decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
  return negative ? `-${text}` : text;
}

/** `minor` of `from` in `to`, half away from zero, through the CNY rate table. */
export function convertMinor(minor: bigint, from: string, to: string): bigint {
  if (from === to) return minor;
  const fromRate = RATES_TO_CNY[from];
  const toRate = RATES_TO_CNY[to];
  if (fromRate === undefined || toRate === undefined) throw new Error(`no rate for ${from} → ${to}`);
  const numerator = minor * fromRate * 10n ** BigInt(decimalsOf(to));
  const denominator = toRate * 10n ** BigInt(decimalsOf(from));
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const abs = remainder < 0n ? -remainder : remainder;
  return abs * 2n >= denominator ? quotient + (numerator < 0n ? -1n : 1n) : quotient;
}

const SKU_COUNT = 60;
const skuOf = (n: number) => `SKU-${String(n % SKU_COUNT).padStart(3, '0')}-${['BLK', 'WHT', 'RED'][n % 3]}`;
/** Price of a SKU in a currency, minor units. */
const priceMinor = (sku: number, currency: string) => {
  const usdCents = 999n + BigInt((sku * 377) % 5000);
  return currency === 'USD' ? usdCents : convertMinor(usdCents, 'USD', currency);
};
const costCents = (sku: number) => 1500n + BigInt((sku * 131) % 9000); // CNY purchase cost

/** The shop of settlement `index` (one shop, one currency per settlement): its summary and detail rows agree. */
const settlementShop = (index: number) => SAIHU_SHOPS[(index * 7) % SAIHU_SHOPS.length]!;
/** Settlements the generated detail rows belong to (row `index` → settlement `index % SETTLEMENTS`). */
export const SETTLEMENTS = 50;

/** Per-type prefixes so ids do not collide between types. */
const typeSalt = (type: string) => [...type].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);

export interface RenderOptions {
  /** Settlement detail: the currency amounts are converted into (the request's `currency`, default CNY). */
  currency?: string;
  isDel?: boolean;
}

/** The document id of record `index` of `type` (stable; what the id field carries). */
export function documentId(type: SaihuDocumentType, index: number): string {
  switch (type) {
    case 'sales_order':
      return `11${index % 10}-${String(1_000_000 + index).padStart(7, '0')}-${String((index * 7919) % 10_000_000).padStart(7, '0')}`;
    case 'multiplatform_order':
      return `MP${String(5_000_000 + index)}`;
    case 'purchase_instock':
      return `PS${String(20_000_000 + index)}`;
    case 'purchase_return':
      return `PR${String(30_000_000 + index)}`;
    case 'other_instock':
      return `RK${String(40_000_000 + index)}`;
    case 'other_outstock':
      return `CK${String(50_000_000 + index)}`;
    case 'transfer':
      return `DB${String(60_000_000 + index)}`;
    case 'stock_count':
      return `PD${String(70_000_000 + index)}`;
    case 'first_leg_shipment':
      return `SP${String(80_000_000 + index)}`;
    case 'settlement_summary':
      return String(12_000_000_000 + index);
    // The seeded shops and warehouses first; more (volume runs) get ids of their own beyond them.
    case 'shop':
      return index < SAIHU_SHOPS.length ? SAIHU_SHOPS[index]!.id : String(1000 + index);
    case 'warehouse':
      return index < SAIHU_WAREHOUSES.length ? SAIHU_WAREHOUSES[index]!.id : String(1000 + index);
    default:
      // Long numeric ids beyond 2^53: they must travel as text.
      return `${1_788_000_000_000_000_000n + BigInt(typeSalt(type) % 1000) * 1_000_000_000n + BigInt(index)}`;
  }
}

/** Record `index` of `type` as the API answers it, modified at `modifiedMs`. */
export function renderRecord(
  seed: number,
  type: SaihuDocumentType,
  index: number,
  modifiedMs: number,
  options: RenderOptions = {},
): Record<string, unknown> {
  const random = seededRandom(mixSeed(seed, typeSalt(type), index));
  const id = documentId(type, index);
  const updated = formatBeijingTime(modifiedMs);
  const created = formatBeijingTime(modifiedMs - Math.floor(random() * 3 * 86_400) * 1000);
  const shop = pick(random, SAIHU_SHOPS);
  const warehouse = pick(random, SAIHU_WAREHOUSES);
  const skuNo = Math.floor(random() * SKU_COUNT);
  const qty = 1 + Math.floor(random() * 5);
  const lines = (count: number) =>
    Array.from({ length: count }, (_, line) => ({ sku: skuNo + line * 7, qty: 1 + ((index + line) % 4) }));
  switch (type) {
    case 'sales_order': {
      const items = lines(1 + Math.floor(random() * 3));
      const total = items.reduce((sum, item) => sum + priceMinor(item.sku, shop.currency) * BigInt(item.qty), 0n);
      return {
        amazonOrderId: id,
        shopId: shop.id,
        marketplaceId: shop.marketplaceId,
        orderStatus: pick(random, ['Shipped', 'Shipped', 'Shipped', 'Unshipped', 'Canceled']),
        fulfillmentChannel: random() < 0.8 ? 'AFN' : 'MFN',
        orderTotalCurrency: shop.currency,
        orderTotalAmount: moneyText(total, shop.currency),
        purchaseDate: created,
        lastUpdateDate: updated,
        orderItemVoList: items.map((item, line) => ({
          orderItemId: `${index * 10 + line}`,
          commoditySku: skuOf(item.sku),
          sellerSku: `M${skuOf(item.sku)}`,
          asin: `B0${String(item.sku).padStart(8, '0')}`,
          quantityOrdered: String(item.qty),
          quantityShipped: String(item.qty),
          itemPriceAmount: moneyText(priceMinor(item.sku, shop.currency) * BigInt(item.qty), shop.currency),
          itemPriceCurrency: shop.currency,
          commission: moneyText(-(priceMinor(item.sku, shop.currency) * BigInt(item.qty) * 15n) / 100n, shop.currency),
          fbaPerUnitFulfillmentFee: moneyText(-convertMinor(356n, 'USD', shop.currency), shop.currency),
        })),
      };
    }
    case 'multiplatform_order': {
      const platform = pick(random, ['Shopify', 'Walmart', 'eBay', 'TikTok']);
      const amount = priceMinor(skuNo, 'USD') * BigInt(qty);
      return {
        orderId: id,
        platform,
        platformOrderNo: `${platform.slice(0, 2).toUpperCase()}${index}`,
        orderStatus: pick(random, ['shipped', 'paid', 'refunded']),
        currency: 'USD',
        orderAmount: moneyText(amount, 'USD'),
        createTime: created,
        updateTime: updated,
        items: [
          { commoditySku: skuOf(skuNo), quantity: String(qty), price: moneyText(priceMinor(skuNo, 'USD'), 'USD') },
        ],
      };
    }
    case 'sales_return':
      return {
        id,
        shopId: shop.id,
        marketplaceId: shop.marketplaceId,
        orderId: documentId('sales_order', index * 3),
        sellerSku: `M${skuOf(skuNo)}`,
        commoditySku: skuOf(skuNo),
        quantity: String(1 + (index % 2)),
        fulfillmentCenterId: pick(random, ['PHX7', 'ONT8', 'LTN1', 'FRA3']),
        detailedDisposition: pick(random, ['SELLABLE', 'CUSTOMER_DAMAGED', 'DEFECTIVE']),
        reason: pick(random, ['NOT_AS_DESCRIBED', 'UNWANTED_ITEM', 'DEFECTIVE']),
        returnDate: created,
        updateTime: updated,
      };
    case 'fbm_package':
      return {
        packageSn: id,
        shopId: shop.id,
        amazonOrderId: documentId('sales_order', index * 5 + 1),
        warehouseId: pick(random, ['101', '301', '302']),
        status: pick(random, ['1', '2', '3']),
        trackingNumber: `1Z${String(900_000_000 + index)}`,
        logisticsProvider: pick(random, ['USPS', 'UPS', 'Royal Mail', 'Yamato']),
        shippingFee: moneyText(BigInt(1500 + (index % 40) * 10), 'CNY'),
        shippingFeeCurrency: 'CNY',
        items: [{ commoditySku: skuOf(skuNo), sellerSku: `M${skuOf(skuNo)}`, quantity: String(qty) }],
        createTime: created,
        updateTime: updated,
      };
    case 'fbm_return':
      return {
        id,
        shopId: shop.id,
        orderId: documentId('sales_order', index * 5 + 1),
        commoditySku: skuOf(skuNo),
        quantity: String(1 + (index % 2)),
        returnWarehouseId: pick(random, ['101', '301', '302']),
        refundAmount: moneyText(priceMinor(skuNo, shop.currency), shop.currency),
        refundCurrency: shop.currency,
        status: pick(random, ['1', '2']),
        createTime: created,
        updateTime: updated,
      };
    case 'purchase_instock': {
      const good = BigInt(qty * 10);
      return {
        purchaseStockNo: id,
        purchaseNo: `PO${20_000_000 + index}`,
        warehouseId: '101',
        supplierName: pick(random, ['义乌华美工贸', '深圳晨光电子', '东莞永兴塑胶']),
        commoditySku: skuOf(skuNo),
        goods: good.toString(),
        defective: String(index % 3 === 0 ? 1 : 0),
        perPurchase: moneyText(costCents(skuNo), 'CNY'),
        inventoryCost: moneyText(costCents(skuNo) * good, 'CNY'),
        batchNo: `B${created.slice(0, 10).replaceAll('-', '')}-${index % 97}`,
        createTime: created,
        updateTime: updated,
      };
    }
    case 'purchase_return':
      return {
        returnedNo: id,
        status: pick(random, ['1', '2', '3']),
        supplierName: '义乌华美工贸',
        warehouseId: '101',
        applyTime: created,
        updateTime: updated,
        itemVos: lines(1 + (index % 2)).map((item) => ({
          commoditySku: skuOf(item.sku),
          returnedGoods: String(item.qty),
          returnedDefectives: '0',
          purchasePrice: moneyText(costCents(item.sku), 'CNY'),
          returnedAmount: moneyText(costCents(item.sku) * BigInt(item.qty), 'CNY'),
        })),
      };
    case 'other_instock':
    case 'other_outstock':
      return {
        orderNo: id,
        warehouseId: warehouse.id,
        warehouseName: warehouse.name,
        type: pick(random, ['0', '1', '3', '4', '5']),
        status: pick(random, ['0', '1']),
        createTime: created,
        updateTime: updated,
        items: lines(1 + (index % 3)).map((item) => ({
          commoditySku: skuOf(item.sku),
          goods: String(item.qty),
          defective: '0',
          perPurchase: moneyText(costCents(item.sku), 'CNY'),
        })),
      };
    case 'transfer': {
      const to = SAIHU_WAREHOUSES[(SAIHU_WAREHOUSES.indexOf(warehouse) + 1) % SAIHU_WAREHOUSES.length]!;
      return {
        transferNo: id,
        outWarehouseId: warehouse.id,
        inWarehouseId: to.id,
        status: String(index % 7),
        createTime: created,
        updateTime: updated,
        items: lines(1 + (index % 2)).map((item) => ({
          commoditySku: skuOf(item.sku),
          goods: String(item.qty * 5),
          perPurchase: moneyText(costCents(item.sku), 'CNY'),
        })),
      };
    }
    case 'stock_count':
      return {
        pdSn: id,
        warehouseId: warehouse.id,
        state: pick(random, ['0', '1', '2']),
        createTime: created,
        updateTime: updated,
        items: lines(2).map((item) => ({
          commoditySku: skuOf(item.sku),
          bookQty: String(item.qty * 20),
          countQty: String(item.qty * 20 - (index % 3)),
        })),
      };
    case 'first_leg_shipment':
      return {
        shipSn: id,
        shopId: shop.id,
        shipmentId: `FBA${String(17_000_000 + index)}`,
        status: pick(random, ['1', '2', '3']),
        fromWarehouseId: '101',
        createTime: created,
        updateTime: updated,
        items: [{ commoditySku: skuOf(skuNo), sellerSku: `M${skuOf(skuNo)}`, shipQty: String(qty * 50) }],
        logistics: [
          {
            logisticsProvider: pick(random, ['Matson', 'DHL', 'UPS']),
            logisticsCost: moneyText(BigInt(50_000 + (index % 50) * 1000), 'CNY'),
            logisticsCostCurrency: 'CNY',
          },
        ],
      };
    case 'settlement_summary': {
      const payout = BigInt(100_000 + Math.floor(random() * 900_000));
      const shop = settlementShop(index);
      return {
        settlementId: id,
        shopId: shop.id,
        marketplaceId: shop.marketplaceId,
        currency: shop.currency,
        settlementStartTime: created,
        settlementEndTime: updated,
        transferTime: updated,
        totalAmount: moneyText(convertMinor(payout, 'USD', shop.currency), shop.currency),
        updateTimeStr: updated,
      };
    }
    case 'settlement_detail': {
      const fee = pick(random, [
        { transactionType: 'Order', amountType: 'ItemPrice', sign: 1n },
        { transactionType: 'Order', amountType: 'Commission', sign: -1n },
        { transactionType: 'Order', amountType: 'FBAPerUnitFulfillmentFee', sign: -1n },
        { transactionType: 'Refund', amountType: 'ItemPrice', sign: -1n },
        { transactionType: 'ServiceFee', amountType: 'Subscription', sign: -1n },
        { transactionType: 'Order', amountType: 'MarketplaceFacilitatorVAT-Principal', sign: -1n },
      ]);
      const original = fee.sign * BigInt(100 + Math.floor(random() * 50_000));
      const shop = settlementShop(index % SETTLEMENTS);
      const originalMinor = shop.currency === 'USD' ? original : convertMinor(original, 'USD', shop.currency);
      const currency = options.currency ?? 'CNY';
      return {
        id,
        settlementId: documentId('settlement_summary', index % SETTLEMENTS),
        shopId: shop.id,
        marketplaceId: shop.marketplaceId,
        orderId: fee.transactionType === 'ServiceFee' ? '' : documentId('sales_order', index),
        // Subscription and other service fees are the shop's, not a SKU's.
        sellerSku: fee.transactionType === 'ServiceFee' ? '' : `M${skuOf(skuNo)}`,
        currency,
        transactionType: fee.transactionType,
        amountType: fee.amountType,
        amount: moneyText(convertMinor(originalMinor, shop.currency, currency), currency),
        postedDateTimeStr: created,
        updateTimeStr: updated,
        isDel: options.isDel ? '1' : '0',
      };
    }
    case 'warehouse_inventory':
      return {
        id,
        warehouseId: warehouse.id,
        warehouseType: warehouse.type,
        commoditySku: skuOf(skuNo),
        stockAvailable: String(Math.floor(random() * 500)),
        stockDefective: String(index % 4),
        stockOccupy: String(index % 9),
        stockWait: String(index % 13),
        batchNo: warehouse.type === '1' ? `B2026${index % 50}` : '',
        perPurchase: moneyText(costCents(skuNo), 'CNY'),
        updateTime: updated,
      };
    case 'fba_inventory':
      return {
        id,
        shopId: shop.id,
        marketplaceId: shop.marketplaceId,
        sellerSku: `M${skuOf(skuNo)}`,
        commoditySku: skuOf(skuNo),
        fnsku: `X00${index}`,
        afnFulfillableQuantity: String(Math.floor(random() * 800)),
        afnReservedQuantity: String(index % 17),
        afnInboundShippedQuantity: String(index % 40),
        updateTime: updated,
      };
    case 'shop': {
      const known = SAIHU_SHOPS[index % SAIHU_SHOPS.length]!;
      return {
        id,
        name: known.name,
        sellerId: known.sellerId,
        region: known.region,
        marketplaceId: known.marketplaceId,
        currency: known.currency,
        adStatus: '1',
        status: '1',
        updateTime: updated,
      };
    }
    case 'warehouse': {
      const known = SAIHU_WAREHOUSES[index % SAIHU_WAREHOUSES.length]!;
      return {
        id,
        name: known.name,
        type: known.type,
        isThirdParty: known.thirdParty ? '1' : '0',
        updateTime: updated,
      };
    }
    case 'product':
      return {
        id,
        commoditySku: skuOf(index),
        commodityName: `Phone case ${index % SKU_COUNT}`,
        parentSku: `SKU-${String(index % SKU_COUNT).padStart(3, '0')}`,
        purchasePrice: moneyText(costCents(index), 'CNY'),
        weight: `${(index % 9) + 1}.25`,
        status: '1',
        createTime: created,
        updateTime: updated,
      };
  }
}
