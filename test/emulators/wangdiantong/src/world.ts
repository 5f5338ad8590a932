/**
 * Master data of one WDT company: shops, warehouses, goods with specs, providers. Tests and the e2e seed their
 * own "world" through these inputs; `defaultWorld()` is a realistic one for volume runs.
 */

export interface WdtShopInput {
  shop_no: string;
  shop_name: string;
  /** WDT platform id: 1 淘宝, 2 淘宝分销, 3 京东, 9 拼多多… 127 其他. */
  platform_id?: number;
  is_disabled?: boolean;
}

export interface WdtWarehouseInput {
  warehouse_no: string;
  name: string;
  /** 1 普通仓 (default), 11 外仓. */
  type?: number;
  /**
   * Not a WDT field: the Kingdee org this warehouse belongs to in the test company, kept beside the world so an
   * e2e can build its mapping config from the same seed. Never served by the API.
   */
  org?: string;
  is_disabled?: boolean;
}

export interface WdtSpecInput {
  spec_no: string;
  spec_name?: string;
  spec_code?: string;
  barcode?: string;
  /** Retail price, decimal text or number. */
  retail_price?: string | number;
  cost_price?: string | number;
  /** 批次管理: documents carry a batch_no for this spec. */
  is_batch?: boolean;
}

export interface WdtGoodsInput {
  goods_no: string;
  goods_name: string;
  unit_name?: string;
  brand_name?: string;
  class_name?: string;
  /** 备注; yecai marks goods it pushes from Kingdee here (the loop guard of wangdiantong/material). */
  remark?: string;
  /** Last modification (epoch ms); defaults to the store's clock. */
  modified?: number;
  specs: WdtSpecInput[];
}

export interface WdtProviderInput {
  provider_no: string;
  provider_name: string;
  is_disabled?: boolean;
}

export interface WdtWorldInput {
  shops?: WdtShopInput[];
  warehouses?: WdtWarehouseInput[];
  goods?: WdtGoodsInput[];
  providers?: WdtProviderInput[];
}

export const PLATFORM_NAMES: Record<number, string> = {
  1: '淘宝',
  3: '京东',
  9: '拼多多',
  69: '抖音',
  78: '快手',
  127: '其他',
};

export const LOGISTICS = [
  { logistics_no: 'SF', logistics_name: '顺丰速运', prefix: 'SF', digits: 12, logistics_id: 3 },
  { logistics_no: 'YTO', logistics_name: '圆通速递', prefix: 'YT', digits: 13, logistics_id: 5 },
  { logistics_no: 'ZTO', logistics_name: '中通快递', prefix: '7', digits: 13, logistics_id: 7 },
  { logistics_no: 'JD', logistics_name: '京东快递', prefix: 'JDVA', digits: 11, logistics_id: 11 },
] as const;

const STYLES = ['连衣裙', 'T恤', '卫衣', '牛仔裤', '面霜', '精华液', '收纳盒', '保温杯'];
const COLOURS = [
  ['01', '红色'],
  ['02', '黑色'],
  ['03', '白色'],
] as const;
const SIZES = ['S', 'M', 'L'];

/** Six shops, four warehouses in two orgs, 8 goods × 9 specs (odd styles batch-managed), three providers. */
export function defaultWorld(): Required<WdtWorldInput> {
  return {
    shops: [
      { shop_no: 'tm-001', shop_name: '天猫旗舰店', platform_id: 1 },
      { shop_no: 'jd-001', shop_name: '京东自营店', platform_id: 3 },
      { shop_no: 'dy-001', shop_name: '抖音小店', platform_id: 69 },
      { shop_no: 'pdd-01', shop_name: '拼多多专营店', platform_id: 9 },
      { shop_no: 'ks-001', shop_name: '快手小店', platform_id: 78 },
      { shop_no: 'b2b-01', shop_name: '线下批发', platform_id: 127 },
    ],
    warehouses: [
      { warehouse_no: 'HZ01', name: '杭州主仓', org: '100' },
      { warehouse_no: 'GZ01', name: '广州分仓', org: '100' },
      { warehouse_no: 'SH01', name: '上海仓', org: '200' },
      { warehouse_no: 'CD01', name: '成都外仓', type: 11, org: '200' },
    ],
    goods: STYLES.map((style, s) => {
      const goods_no = `G${String(1001 + s)}`;
      return {
        goods_no,
        goods_name: style,
        unit_name: s >= 6 ? '个' : '件',
        brand_name: s % 2 === 0 ? '野菜' : '野菜优选',
        class_name: s < 4 ? '服饰' : s < 6 ? '美妆' : '家居',
        specs: COLOURS.flatMap(([code, colour]) =>
          SIZES.map((size) => {
            const retail = 19.9 + s * 15 + SIZES.indexOf(size);
            return {
              spec_no: `${goods_no}${code}${size}`,
              spec_name: `${colour} ${size}`,
              spec_code: `${code}-${size}`,
              barcode: `69${String(100_000_000 + s * 100 + Number(code) * 10 + SIZES.indexOf(size)).padStart(11, '0')}`,
              retail_price: retail.toFixed(4),
              cost_price: (retail * 0.42).toFixed(4),
              is_batch: s % 2 === 1,
            };
          }),
        ),
      };
    }),
    providers: [
      { provider_no: 'GYS001', provider_name: '义乌市恒达服饰有限公司' },
      { provider_no: 'GYS002', provider_name: '广州白云区美妆供应链' },
      { provider_no: 'GYS003', provider_name: '宁波卓越家居用品厂' },
    ],
  };
}
