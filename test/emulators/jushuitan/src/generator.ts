import { formatBeijingTime, parseBeijingTime } from '@yecai/common';
import { mixSeed as mix, pick, seededRandom } from '@yecai/emulator-kit';
import { JST_ENDPOINTS, type JstDocumentType } from './endpoints';

/**
 * Seeded, deterministic JST documents: the same (seed, type, index) always yields the same document, so the
 * store keeps only ids, times and overrides and materialises payloads when a page is served.
 */

/** The project's one seeded PRNG (mulberry32), under the name the generator has always used. */
export const prng = seededRandom;

const TYPE_SALT: Record<JstDocumentType, number> = {
  sales_outstock: 11,
  aftersale: 23,
  aftersale_received: 37,
  purchase_in: 41,
  purchase_out: 53,
  other_inout: 67,
  allocate: 71,
  stock_count: 83,
};

/** First id per type; ids are base + index, so they never collide across types. */
const ID_BASE: Record<JstDocumentType, number> = {
  sales_outstock: 20_000_000,
  aftersale: 30_000_000,
  aftersale_received: 40_000_000,
  purchase_in: 50_000_000,
  purchase_out: 60_000_000,
  other_inout: 70_000_000,
  allocate: 80_000_000,
  stock_count: 90_000_000,
};

export const COMPANY_ID = 10_174_532;

export const SHOPS = [
  { shop_id: 10086, shop_name: '天猫旗舰店', platform: 'TM' },
  { shop_id: 10087, shop_name: '京东自营店', platform: 'JD' },
  { shop_id: 10088, shop_name: '抖音小店', platform: 'DY' },
  { shop_id: 10089, shop_name: '拼多多专营店', platform: 'PDD' },
  { shop_id: 10090, shop_name: '快手小店', platform: 'KS' },
  { shop_id: 10091, shop_name: '小红书店', platform: 'XHS' },
] as const;

export const WAREHOUSES = [
  { wms_co_id: 100001, name: '杭州主仓' },
  { wms_co_id: 100002, name: '广州分仓' },
  { wms_co_id: 100003, name: '成都分仓' },
  { wms_co_id: 100004, name: '天津保税仓' },
] as const;

const LOGISTICS = [
  { lc_id: 'SF', logistics_company: '顺丰速运', prefix: 'SF', digits: 12 },
  { lc_id: 'YTO', logistics_company: '圆通速递', prefix: 'YT', digits: 13 },
  { lc_id: 'ZTO', logistics_company: '中通快递', prefix: '7', digits: 13 },
  { lc_id: 'JD', logistics_company: '京东快递', prefix: 'JDVA', digits: 11 },
] as const;

export const SUPPLIERS = [
  { supplier_id: 3001, supplier_name: '义乌市恒达服饰有限公司' },
  { supplier_id: 3002, supplier_name: '广州白云区美妆供应链' },
  { supplier_id: 3003, supplier_name: '宁波卓越家居用品厂' },
] as const;

const STYLES = ['连衣裙', 'T恤', '卫衣', '牛仔裤', '面霜', '精华液', '收纳盒', '保温杯'];
const COLOURS = [
  ['RED', '红色'],
  ['BLK', '黑色'],
  ['WHT', '白色'],
  ['BLU', '蓝色'],
] as const;
const SIZES = ['S', 'M', 'L', 'XL'];

export interface Sku {
  sku_id: string;
  i_id: string;
  name: string;
  properties_value: string;
  salePriceCents: number;
  costPriceCents: number;
}

/** 128 SKUs; style codes start with `A` (batch-managed: 批号 0) or `G` (no batch), the rule of flows.md §2. */
export const SKUS: Sku[] = (() => {
  const skus: Sku[] = [];
  for (let style = 0; style < 8; style++) {
    const i_id = `${style % 2 === 0 ? 'A' : 'G'}${String(101 + style * 7).padStart(3, '0')}`;
    for (const [colourCode, colourName] of COLOURS) {
      for (const size of SIZES) {
        const salePriceCents = 1990 + style * 1500 + SIZES.indexOf(size) * 100;
        skus.push({
          sku_id: `${i_id}-${colourCode}-${size}`,
          i_id,
          name: `${STYLES[style]} ${colourName}`,
          properties_value: `${colourName};${size}`,
          salePriceCents,
          costPriceCents: Math.round(salePriceCents * 0.42),
        });
      }
    }
  }
  return skus;
})();

const money = (cents: number): number => cents / 100;
const digits = (random: () => number, count: number): string =>
  Array.from({ length: count }, () => Math.floor(random() * 10)).join('');

export function documentId(type: JstDocumentType, index: number): number {
  return ID_BASE[type] + index;
}

export function indexOfDocumentId(type: JstDocumentType, id: number): number {
  return id - ID_BASE[type];
}

/** Status a new document starts with: mostly the synced state, sometimes another one. */
export function initialStatus(seed: number, type: JstDocumentType, index: number): string {
  const random = prng(mix(seed, TYPE_SALT[type], index, 7));
  const statuses = JST_ENDPOINTS[type].statuses;
  return random() < 0.85 ? statuses[0]! : pick(random, statuses.slice(1));
}

export interface GeneratedVersion {
  modifiedMs: number;
  ts: number | undefined;
  status: string;
  overrides: Record<string, unknown>;
  /** 实际收货: when the company holds the receipt's 售后单, its modified time (the claim's dates follow from it). */
  claimModifiedMs?: number;
}

/** The full document for one version; field order imitates the API's. */
export function generateDocument(
  seed: number,
  type: JstDocumentType,
  index: number,
  version: GeneratedVersion,
): Record<string, unknown> {
  const random = prng(mix(seed, TYPE_SALT[type], index));
  const id = documentId(type, index);
  const modified = formatBeijingTime(version.modifiedMs);
  // The business date precedes the first modification by up to a day.
  const ioDate = formatBeijingTime(version.modifiedMs - Math.floor(random() * 86_400) * 1000);
  const shop = pick(random, SHOPS);
  const warehouse = pick(random, WAREHOUSES);
  const soId = platformOrderNo(random, shop.platform, ioDate);
  const oId = 880_000 + index;
  const lineCount = 1 + Math.floor(random() * 4);
  const lines = Array.from({ length: lineCount }, (_, line) => {
    const sku = pick(random, SKUS);
    return { sku, qty: 1 + Math.floor(random() * 3), lineId: id * 10 + line + 1, line };
  });
  const tsField = version.ts === undefined ? {} : { ts: version.ts };
  let document: Record<string, unknown>;

  switch (type) {
    case 'sales_outstock': {
      const logistics = pick(random, LOGISTICS);
      const items = lines.map(({ sku, qty, lineId, line }) => {
        const isGift = random() < 0.05;
        const priceCents = isGift ? 0 : sku.salePriceCents;
        return {
          ioi_id: lineId,
          oi_id: oId * 10 + line + 1,
          sku_id: sku.sku_id,
          i_id: sku.i_id,
          name: sku.name,
          properties_value: sku.properties_value,
          qty,
          sale_price: money(priceCents),
          sale_amount: money(priceCents * qty),
          sale_base_price: money(sku.salePriceCents),
          outer_oi_id: `${soId}-${line + 1}`,
          raw_so_id: soId,
          combine_sku_id: random() < 0.05 ? `${sku.i_id}-SET` : null,
          is_gift: isGift,
          batch_id: sku.i_id.startsWith('A') ? '0' : null,
        };
      });
      const totalCents = lines.reduce((sum, l) => sum + (items[l.line]!.is_gift ? 0 : l.sku.salePriceCents * l.qty), 0);
      const freeCents = random() < 0.3 ? Math.floor(totalCents * 0.05) : 0;
      document = {
        co_id: COMPANY_ID,
        shop_id: shop.shop_id,
        shop_name: shop.shop_name,
        io_id: id,
        o_id: oId,
        so_id: soId,
        merge_so_id: null,
        created: ioDate,
        modified,
        io_date: ioDate,
        status: version.status,
        order_type: '普通订单',
        l_id: `${logistics.prefix}${digits(random, logistics.digits)}`,
        lc_id: logistics.lc_id,
        logistics_company: logistics.logistics_company,
        wms_co_id: warehouse.wms_co_id,
        pay_amount: money(totalCents - freeCents),
        paid_amount: money(totalCents - freeCents),
        free_amount: money(freeCents),
        freight: 0,
        currency: 'CNY',
        labels: random() < 0.1 ? '大促' : '',
        receiver_state: pick(random, ['浙江省', '广东省', '四川省', '北京']),
        buyer_message: '',
        remark: '',
        ...tsField,
        items,
      };
      break;
    }
    case 'aftersale': {
      const asType = pick(random, ['普通退货', '普通退货', '拒收退货', '仅退款', '换货']);
      const items = lines.map(({ sku, qty, lineId }) => {
        // 实退数量: 0 for refund-only and not-yet-received returns, otherwise up to the applied quantity.
        const rQty = asType === '仅退款' || random() < 0.25 ? 0 : 1 + Math.floor(random() * qty);
        return {
          asi_id: lineId,
          sku_id: sku.sku_id,
          i_id: sku.i_id,
          name: sku.name,
          qty,
          r_qty: rQty,
          price: money(sku.salePriceCents),
          amount: money(sku.salePriceCents * qty),
          type: asType === '换货' ? '换货' : '退货',
          outer_oi_id: `${soId}-${lineId % 10}`,
          defective_qty: 0,
        };
      });
      const refundCents = lines.reduce((sum, l) => sum + l.sku.salePriceCents * l.qty, 0);
      document = {
        as_id: id,
        as_date: ioDate,
        outer_as_id: digits(random, 15),
        o_id: oId,
        so_id: soId,
        shop_id: shop.shop_id,
        shop_name: shop.shop_name,
        type: asType,
        status: version.status,
        shop_status: 'SUCCESS',
        good_status: pick(random, ['SELLER_RECEIVED', 'SELLER_RECEIVED', 'BUYER_RETURNED_GOODS', 'BUYER_NOT_RECEIVED']),
        refund: money(refundCents),
        payment: 0,
        currency: 'CNY',
        wh_id: 2,
        wms_co_id: warehouse.wms_co_id,
        modified,
        ...tsField,
        items,
      };
      break;
    }
    case 'aftersale_received': {
      // The warehouse receipt (退仓单) of 售后单 `as_id` with the same index: its order, shop and warehouse, one
      // line per claimed line with the quantity that arrived (= the 售后单's 实退数量 r_qty), received between
      // the claim and this version.
      const claimModifiedMs = version.claimModifiedMs ?? version.modifiedMs;
      const claim = generateDocument(seed, 'aftersale', index, { modifiedMs: claimModifiedMs, ts: undefined, status: 'Confirmed', overrides: {} });
      const claimedMs = parseBeijingTime(claim.as_date, 'as_date');
      const spanS = Math.max(0, Math.floor((version.modifiedMs - claimedMs) / 1000));
      const receivedDate = formatBeijingTime(Math.min(claimedMs, version.modifiedMs) + Math.floor(random() * spanS) * 1000);
      document = {
        io_id: id,
        o_id: claim.o_id,
        so_id: claim.so_id,
        as_id: claim.as_id,
        shop_id: claim.shop_id,
        shop_name: claim.shop_name,
        io_date: receivedDate,
        modified,
        status: version.status,
        wh_id: 2,
        wms_co_id: claim.wms_co_id,
        ...tsField,
        items: (claim.items as { sku_id: string; i_id: string; r_qty: number; price: number }[]).map((line, position) => ({
          ioi_id: id * 10 + position + 1,
          sku_id: line.sku_id,
          i_id: line.i_id,
          qty: line.r_qty,
          sale_price: line.price,
          sale_amount: money(Math.round(line.price * 100) * line.r_qty),
          batch_id: line.i_id.startsWith('A') ? '0' : null,
        })),
      };
      break;
    }
    case 'purchase_in':
    case 'purchase_out': {
      const supplier = pick(random, SUPPLIERS);
      const items = lines.map(({ sku, lineId }) => {
        const qty = 10 * (1 + Math.floor(random() * 20));
        return {
          ioi_id: lineId,
          sku_id: sku.sku_id,
          i_id: sku.i_id,
          name: sku.name,
          properties_value: sku.properties_value,
          qty,
          cost_price: money(sku.costPriceCents),
          cost_amount: money(sku.costPriceCents * qty),
          ...(type === 'purchase_in'
            ? {
                tax_rate: 13,
                batch_no: sku.i_id.startsWith('A') ? `B${ioDate.slice(0, 10).replaceAll('-', '')}` : '',
                produced_date: null,
                expiration_date: null,
              }
            : {}),
        };
      });
      document = {
        io_id: id,
        po_id: 500_000 + index,
        ...(type === 'purchase_in' ? { so_id: `PO-EXT-${500_000 + index}` } : {}),
        status: version.status,
        io_date: ioDate,
        modified,
        wms_co_id: warehouse.wms_co_id,
        ...(type === 'purchase_in' ? { wh_id: 3 } : {}),
        supplier_id: supplier.supplier_id,
        supplier_name: supplier.supplier_name,
        remark: '',
        ...tsField,
        items,
      };
      break;
    }
    case 'other_inout': {
      const otherType = pick(random, ['其它进仓', '其它出库', '其它出库', '其它退货']);
      document = {
        io_id: id,
        type: otherType,
        status: version.status,
        io_date: ioDate,
        modified,
        wms_co_id: warehouse.wms_co_id,
        wh_id: 1,
        warehouse: warehouse.name,
        remark: otherType === '其它出库' ? pick(random, ['赠品', '样品', '报废']) : '赠品入库',
        ...tsField,
        items: lines.map(({ sku, qty, lineId }) => ({
          ioi_id: lineId,
          sku_id: sku.sku_id,
          i_id: sku.i_id,
          name: sku.name,
          qty,
          cost_price: money(sku.costPriceCents),
          cost_amount: money(sku.costPriceCents * qty),
          sale_price: money(sku.salePriceCents),
          batch_no: '',
        })),
      };
      break;
    }
    case 'allocate': {
      // Transfers come in pairs: even index = 调拨出, odd index = its 调拨入.
      const outbound = index % 2 === 0;
      const pairIndex = outbound ? index + 1 : index - 1;
      const pairRandom = prng(mix(seed, TYPE_SALT[type], Math.min(index, pairIndex), 99));
      const from = pick(pairRandom, WAREHOUSES);
      const to = WAREHOUSES[(WAREHOUSES.indexOf(from) + 1) % WAREHOUSES.length]!;
      const pairLines = Array.from({ length: 1 + Math.floor(pairRandom() * 3) }, (_, line) => ({
        sku: pick(pairRandom, SKUS),
        qty: 5 * (1 + Math.floor(pairRandom() * 10)),
        line,
      }));
      document = {
        io_id: id,
        link_io_id: documentId(type, pairIndex),
        type: outbound ? '调拨出' : '调拨入',
        wms_co_id: outbound ? from.wms_co_id : to.wms_co_id,
        link_wms_co_id: outbound ? to.wms_co_id : from.wms_co_id,
        wh_id: 1,
        link_wh_id: 1,
        status: version.status,
        io_date: ioDate,
        modified,
        items: pairLines.map(({ sku, qty, line }) => ({
          ioi_id: id * 10 + line + 1,
          sku_id: sku.sku_id,
          qty,
          r_qty: qty,
        })),
      };
      break;
    }
    case 'stock_count': {
      document = {
        io_id: id,
        status: version.status,
        io_date: ioDate,
        modified,
        wms_co_id: warehouse.wms_co_id,
        wh_id: 1,
        items: lines.map(({ sku, lineId }) => {
          const counted = Math.floor(random() * 200);
          const difference = Math.floor(random() * 11) - 5 || 1; // 盘盈 > 0, 盘亏 < 0
          return { ioi_id: lineId, sku_id: sku.sku_id, qty: difference, r_qty: counted };
        }),
      };
      break;
    }
  }
  return { ...document, ...version.overrides };
}

function platformOrderNo(random: () => number, platform: string, ioDate: string): string {
  const day = ioDate.slice(2, 10).replaceAll('-', '');
  switch (platform) {
    case 'TM':
      return digits(random, 18);
    case 'JD':
      return digits(random, 12);
    case 'DY':
      return `69${digits(random, 17)}`;
    case 'PDD':
      return `${day}-${digits(random, 15)}`;
    default:
      return `${platform}${day}${digits(random, 10)}`;
  }
}
