import { Decimal, toDecimal } from '@yecai/common';
import { WDT_PROTOCOL, type WdtDocumentType } from './protocol';
import { at, qty, type Fields } from './values';
import type { WdtGoodsInput, WdtProviderInput, WdtShopInput, WdtSpecInput, WdtWarehouseInput } from './world';

/**
 * Builds the stored fields of one document from a compact input and the company's master data, in the field
 * names and shapes of source-apis.md §3.7. Mutable state (status, modified, number) is kept apart by the store.
 */

export interface WdtLineInput {
  spec_no: string;
  /** Quantity; for a stock-take line the 盈亏 difference (positive gain, negative loss). */
  num: string | number;
  /** Unit price (sell price, cost or purchase price by document type); defaults from the spec. */
  price?: string | number;
  /** Batch for batch-managed specs; generated when omitted. */
  batch_no?: string;
  /** Expiry of the batch (epoch ms); zero date when absent. */
  expire_date?: number;
  /** 赠品 line (sales out). */
  gift?: boolean;
  /** 组合装 the line came from (sales out). */
  suite_no?: string;
  /** Stock-take: book quantity before counting; defaults to 100. */
  book_num?: string | number;
}

export interface WdtDocumentInput {
  /** Document number (出库单号/入库单号/调拨单号…); generated when absent. */
  no?: string;
  status?: number;
  /** Epoch ms; defaults to the store clock. */
  modified?: number;
  /** 发货/审核 time (epoch ms); defaults to `modified` for finished documents, zero date otherwise. */
  eventTime?: number;
  created?: number;
  shop_no?: string;
  warehouse_no: string;
  /** Transfer: 调入仓库. */
  to_warehouse_no?: string;
  /** Purchase in/return: 供应商. */
  provider_no?: string;
  /** Sales out: platform order numbers; more than one = merged trade (comma-joined src_tids). */
  src_tids?: string[];
  /** Assembly: 1 组装 (components → product), 2 拆卸 (product → components). Default 1. */
  assembly_type?: 1 | 2;
  /** Assembly: the finished goods lines; `lines` are the components. */
  products?: WdtLineInput[];
  lines: WdtLineInput[];
  /** Extra or overriding header fields, rendered as given. */
  fields?: Record<string, string | number>;
}

export interface MasterData {
  shop(no: string): (WdtShopInput & { shop_id: number }) | undefined;
  warehouse(no: string): (WdtWarehouseInput & { warehouse_id: number }) | undefined;
  spec(no: string): { goods: WdtGoodsInput & { goods_id: number }; spec: WdtSpecInput & { spec_id: number } } | undefined;
  provider(no: string): (WdtProviderInput & { provider_id: number }) | undefined;
}

export class DocumentInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export interface BuiltDocument {
  /** Header fields without id, number, status, modified (the store renders those). */
  header: Fields;
  details: Fields[];
  /** Assembly only: the finished goods lines. */
  products?: Fields[];
}

const ZERO = new Decimal(0);

export function buildDocument(
  type: WdtDocumentType,
  id: number,
  input: WdtDocumentInput,
  master: MasterData,
  clockMs: number,
): BuiltDocument {
  const warehouse = master.warehouse(input.warehouse_no);
  if (!warehouse) throw new DocumentInputError(`warehouse_no ${input.warehouse_no} is not a warehouse of this company`, 'warehouse_no');
  if (input.lines.length === 0) throw new DocumentInputError('a document needs at least one line', 'lines');
  const createdMs = input.created ?? (input.modified ?? clockMs) - 3_600_000;
  const modifiedMs = input.modified ?? clockMs;
  const warehouseFields: Fields = {
    warehouse_no: warehouse.warehouse_no,
    warehouse_id: warehouse.warehouse_id,
    warehouse_name: warehouse.name,
    warehouse_type: warehouse.type ?? 1,
  };
  const lineOf = (line: WdtLineInput, index: number, defaultPrice: 'retail' | 'cost') => {
    const found = master.spec(line.spec_no);
    if (!found) throw new DocumentInputError(`lines[${index}].spec_no ${line.spec_no} is not a spec of this company`, `lines[${index}].spec_no`);
    const num = toDecimal(line.num, `lines[${index}].num`);
    const price = toDecimal(
      line.price ?? (defaultPrice === 'retail' ? found.spec.retail_price : found.spec.cost_price) ?? 0,
      `lines[${index}].price`,
    );
    const batchNo = line.batch_no ?? (found.spec.is_batch ? `B${(id % 9000) + 1000}${String(index + 1).padStart(2, '0')}` : '');
    const expire = line.expire_date ?? (found.spec.is_batch ? createdMs + 365 * 86_400_000 : undefined);
    const goodsFields: Fields = {
      spec_no: found.spec.spec_no,
      spec_id: found.spec.spec_id,
      spec_name: found.spec.spec_name ?? '',
      spec_code: found.spec.spec_code ?? '',
      goods_no: found.goods.goods_no,
      goods_id: found.goods.goods_id,
      goods_name: found.goods.goods_name,
      barcode: found.spec.barcode ?? '',
      unit_name: found.goods.unit_name ?? '件',
    };
    return { found, num, price, batchNo, expire, goodsFields, line };
  };
  const recId = (index: number) => id * 10 + index + 1;

  switch (type) {
    case 'sales_out': {
      const shop = requireShop(master, input.shop_no);
      const tids = input.src_tids ?? [`${(id * 7919) % 1e9}`.padStart(9, '5') + String(id).padStart(9, '0')];
      const lines = input.lines.map((line, index) => lineOf(line, index, 'retail'));
      let total = ZERO;
      let cost = ZERO;
      let count = ZERO;
      const details = lines.map(({ num, price, batchNo, expire, goodsFields, line, found }, index) => {
        const gift = line.gift === true;
        const amount = gift ? ZERO : num.times(price);
        total = total.plus(amount);
        cost = cost.plus(num.times(toDecimal(found.spec.cost_price ?? 0, 'cost_price')));
        count = count.plus(num);
        return {
          rec_id: recId(index),
          stockout_id: id,
          ...goodsFields,
          brand_no: found.goods.brand_name ?? '',
          goods_count: qty(num),
          num: qty(num),
          unit_ratio: qty(1),
          sell_price: qty(gift ? 0 : price),
          price: qty(gift ? 0 : price),
          market_price: qty(found.spec.retail_price ?? price),
          share_amount: qty(amount),
          share_post: qty(0),
          total_amount: qty(amount),
          paid: qty(amount),
          discount: qty(0),
          cost_price: qty(found.spec.cost_price ?? 0),
          tax_rate: qty(0),
          gift_type: gift ? 1 : 0,
          suite_no: line.suite_no ?? '',
          src_oid: `${tids[index % tids.length]}-${index + 1}`,
          src_tid: tids[index % tids.length]!,
          sale_order_id: recId(index) + 500_000_000,
          src_order_detail_id: recId(index) + 500_000_000,
          refund_status: 0,
          batch_no: batchNo,
          expire_date: at(expire ?? null),
          created: at(createdMs),
          modified: at(modifiedMs),
          position_list: [{ position_no: 'ZANCUN', num: qty(num), batch_no: batchNo }],
        } satisfies Fields;
      });
      const tradeNo = `JY${id}`;
      return {
        header: {
          src_order_no: tradeNo,
          src_order_id: id + 100_000_000,
          src_order_type: 1,
          src_tids: tids.join(','),
          src_trade_no: tids.join(','),
          trade_id: id + 100_000_000,
          trade_no: tradeNo,
          trade_status: 110,
          trade_type: 1,
          trade_time: at(createdMs - 600_000),
          pay_time: at(createdMs - 540_000),
          shop_no: shop.shop_no,
          shop_name: shop.shop_name,
          shop_id: shop.shop_id,
          platform_id: shop.platform_id ?? 127,
          ...warehouseFields,
          consign_status: 12,
          created: at(createdMs),
          logistics_no: `SF${String(id).padStart(12, '0')}`,
          logistics_code: 'SF',
          logistics_name: '顺丰速运',
          logistics_id: 3,
          receivable: qty(total),
          paid: qty(total),
          goods_total_amount: qty(total),
          goods_total_cost: qty(cost),
          goods_count: qty(count),
          goods_type_count: new Set(input.lines.map((line) => line.spec_no)).size,
          post_amount: qty(0),
          post_cost: qty(0),
          discount: qty(0),
          tax: qty(0),
          tax_rate: qty(0),
          currency: '',
          customer_no: `KH${id % 100_000}`,
          customer_name: '',
          fenxiao_nick: '',
          refund_status: 0,
          receiver_name: '张*',
          receiver_province: '浙江省',
          receiver_city: '杭州市',
          receiver_district: '西湖区',
          remark: '',
          print_remark: '',
          employee_no: '',
          md5_str: '',
        },
        details,
      };
    }
    case 'refund_in': {
      const shop = requireShop(master, input.shop_no);
      const details = input.lines
        .map((line, index) => lineOf(line, index, 'retail'))
        .map(({ num, price, batchNo, expire, goodsFields, found }, index) => ({
          rec_id: recId(index),
          stockin_id: id,
          ...goodsFields,
          num: qty(num),
          stockin_num: qty(num),
          right_num: qty(num),
          cost_price: qty(found.spec.cost_price ?? 0),
          total_cost: qty(num.times(toDecimal(found.spec.cost_price ?? 0, 'cost_price'))),
          refund_price: qty(price),
          refund_amount: qty(num.times(price)),
          batch_no: batchNo,
          expire_date: at(expire ?? null),
          remark: '',
        }));
      return {
        header: {
          refund_no: `TK${id}`,
          // The 旗舰版 doc: src_order_no is the 退换单编号; the trade and platform orders are listed apart.
          src_order_no: `TK${id}`,
          src_order_type: 12,
          trade_no_list: `JY${id - 1000}`,
          tid_list: `${(id * 7919) % 1e9}`.padStart(9, '5') + String(id - 1000).padStart(9, '0'),
          shop_no: shop.shop_no,
          shop_name: shop.shop_name,
          shop_id: shop.shop_id,
          platform_id: shop.platform_id ?? 127,
          ...warehouseFields,
          logistics_no: '',
          created: at(createdMs),
          goods_count: qty(sum(details.map((d) => d.num.text))),
          refund_amount: qty(sum(details.map((d) => d.refund_amount.text))),
          remark: '',
        },
        details,
      };
    }
    case 'purchase_in':
    case 'purchase_return': {
      const provider = master.provider(input.provider_no ?? '');
      if (!provider) throw new DocumentInputError(`provider_no ${String(input.provider_no)} is not a provider of this company`, 'provider_no');
      const isReturn = type === 'purchase_return';
      const details = input.lines
        .map((line, index) => lineOf(line, index, 'cost'))
        .map(({ num, price, batchNo, expire, goodsFields }, index) => {
          const amount = num.times(price);
          return isReturn
            ? {
                rec_id: recId(index),
                stockout_id: id,
                ...goodsFields,
                goods_count: qty(num),
                sell_price: qty(price),
                total_amount: qty(amount),
                batch_no: batchNo,
                expire_date: at(expire ?? null),
                remark: '',
              }
            : {
                rec_id: recId(index),
                stockin_id: id,
                ...goodsFields,
                num: qty(num),
                cost_price: qty(price),
                tax_price: qty(price),
                tax: qty(0),
                total_cost: qty(amount),
                batch_no: batchNo,
                expire_date: at(expire ?? null),
                remark: '',
              };
        });
      return {
        header: {
          ...(isReturn ? { src_order_no: `CT${id}`, src_order_type: 3 } : { purchase_no: `CG${id}`, src_order_type: 1 }),
          provider_no: provider.provider_no,
          provider_name: provider.provider_name,
          ...warehouseFields,
          created: at(createdMs),
          goods_count: qty(sum(details.map((d) => ('num' in d ? d.num : d.goods_count).text))),
          remark: '',
        },
        details,
      };
    }
    case 'other_in':
    case 'other_out': {
      const isIn = type === 'other_in';
      const details = input.lines
        .map((line, index) => lineOf(line, index, 'cost'))
        .map(({ num, price, batchNo, expire, goodsFields }, index) => ({
          rec_id: recId(index),
          [isIn ? 'stockin_id' : 'stockout_id']: id,
          ...goodsFields,
          [isIn ? 'num' : 'goods_count']: qty(num),
          cost_price: qty(price),
          total_cost: qty(num.times(price)),
          batch_no: batchNo,
          expire_date: at(expire ?? null),
          remark: '',
        }));
      return {
        header: {
          src_order_type: isIn ? 6 : 7,
          reason: isIn ? '赠品入库' : '报废出库',
          ...warehouseFields,
          created: at(createdMs),
          goods_count: qty(sum(input.lines.map((line) => String(line.num)))),
          remark: '',
        },
        details,
      };
    }
    case 'transfer': {
      const to = master.warehouse(input.to_warehouse_no ?? '');
      if (!to) throw new DocumentInputError(`to_warehouse_no ${String(input.to_warehouse_no)} is not a warehouse of this company`, 'to_warehouse_no');
      const details = input.lines
        .map((line, index) => lineOf(line, index, 'cost'))
        .map(({ num, price, batchNo, expire, goodsFields }, index) => ({
          rec_id: recId(index),
          transfer_id: id,
          ...goodsFields,
          num: qty(num),
          out_num: qty(num),
          in_num: qty(num),
          stock_num: qty(100),
          aux_num: qty(0),
          cost_price: qty(price),
          batch_id: batchNo === '' ? 0 : id % 10_000 + index + 1,
          batch_no: batchNo,
          expire_date: at(expire ?? null),
          from_position: 'ZANCUN',
          to_position: 'ZANCUN',
          defect: false,
          remark: '',
          created: at(createdMs),
          modified: at(modifiedMs),
        }));
      return {
        header: {
          from_warehouse_no: warehouse.warehouse_no,
          from_warehouse_id: warehouse.warehouse_id,
          from_warehouse_name: warehouse.name,
          to_warehouse_no: to.warehouse_no,
          to_warehouse_id: to.warehouse_id,
          to_warehouse_name: to.name,
          mode: 0,
          stock_out_in_status: 60,
          created: at(createdMs),
          goods_count: qty(sum(input.lines.map((line) => String(line.num)))),
          goods_type_count: new Set(input.lines.map((line) => line.spec_no)).size,
          goods_out_count: qty(sum(input.lines.map((line) => String(line.num)))),
          goods_in_count: qty(sum(input.lines.map((line) => String(line.num)))),
          contact: '',
          telno: '',
          logistics_no: '',
          logistics_name: '',
          logistics_code: '',
          logistics_id: 0,
          creator_name: '系统',
          flag_name: '',
          remark: '',
        },
        details,
      };
    }
    case 'stock_pd': {
      const details = input.lines
        .map((line, index) => lineOf(line, index, 'cost'))
        .map(({ num, price, batchNo, expire, goodsFields, line }, index) => {
          const book = toDecimal(line.book_num ?? 100, `lines[${index}].book_num`);
          return {
            rec_id: recId(index),
            pd_id: id,
            ...goodsFields,
            stock_num: qty(book),
            pd_num: qty(book.plus(num)),
            diff_num: qty(num),
            cost_price: qty(price),
            diff_amount: qty(num.times(price)),
            batch_no: batchNo,
            expire_date: at(expire ?? null),
            remark: '',
          };
        });
      return {
        header: { ...warehouseFields, mode: 0, created: at(createdMs), remark: '' },
        details,
      };
    }
    case 'assembly': {
      if (!input.products || input.products.length === 0) {
        throw new DocumentInputError('an assembly needs products (the finished goods lines)', 'products');
      }
      const render = (list: WdtLineInput[], key: string) =>
        list
          .map((line, index) => lineOf(line, index, 'cost'))
          .map(({ num, price, batchNo, expire, goodsFields }, index) => ({
            rec_id: recId(index) + (key === 'products' ? 5 : 0),
            assembly_id: id,
            ...goodsFields,
            num: qty(num),
            cost_price: qty(price),
            batch_no: batchNo,
            expire_date: at(expire ?? null),
          }));
      return {
        header: {
          type: input.assembly_type ?? 1,
          type_name: (input.assembly_type ?? 1) === 1 ? '组装' : '拆卸',
          ...warehouseFields,
          created: at(createdMs),
          remark: '',
        },
        details: render(input.lines, 'lines'),
        products: render(input.products, 'products'),
      };
    }
  }
}

function requireShop(master: MasterData, shopNo: string | undefined) {
  const shop = master.shop(shopNo ?? '');
  if (!shop) throw new DocumentInputError(`shop_no ${String(shopNo)} is not a shop of this company`, 'shop_no');
  return shop;
}

function sum(values: string[]): Decimal {
  return values.reduce((total, value) => total.plus(toDecimal(value, 'num')), ZERO);
}

/** Document number prefix per type: 出库 CK, 入库 RK, 调拨 DB, 盘点 PD, 组装 ZZ. */
export function documentNumber(type: WdtDocumentType, id: number, createdMs: number): string {
  const day = new Date(createdMs + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
  const prefix = WDT_PROTOCOL[type].idField === 'stockout_id' ? 'CK' : WDT_PROTOCOL[type].idField === 'stockin_id' ? 'RK' : { transfer: 'DB', stock_pd: 'PD', assembly: 'ZZ' }[type as 'transfer'];
  return `${prefix}${day}${String(id % 100_000).padStart(5, '0')}`;
}
