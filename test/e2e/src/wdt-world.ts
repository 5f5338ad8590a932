import type { WdtDocumentInput, WdtDocumentType, WdtGoodsInput, WdtWorldInput } from '@yecai/emulator-wangdiantong';
import { loadFixture, type Fixture } from '@yecai/emulator-kingdee';
import type { MasterDataSeed } from '@yecai/demo';

/**
 * One company on 旺店通 and 金蝶 with two organisations (the default Kingdee 账套's 100 and 101): warehouses in
 * both, so transfers between them are cross-org; goods already in Kingdee (used by the documents) and goods new in
 * WDT today (the material flow creates them in Kingdee and allocates them to both orgs). Every document is written
 * out here so the end-to-end test can check each bill field by field.
 */
export const WDT_ORGS = ['100', '101'] as const;

/** Warehouse → org; Kingdee stock number = WDT warehouse number. */
export const WDT_WAREHOUSES = [
  { warehouse_no: 'HZ01', name: '杭州主仓', org: '100' },
  { warehouse_no: 'HZ02', name: '杭州二仓', org: '100' },
  { warehouse_no: 'GZ01', name: '广州仓', org: '101' },
] as const;

/** A warehouse opened in WDT that Kingdee does not have yet: the warehouse flow creates it (BD_STOCK) in its org. */
export const WDT_NEW_WAREHOUSES = [{ warehouse_no: 'SZ01', name: '深圳新仓', org: '101' }] as const;

/** Batch-managed specs and the batch their stock is in. */
export const WDT_STOCK_BATCH: Record<string, string> = { G100101S: 'B240301', G100102M: 'B240302' };

/** Goods Kingdee already has (modified long ago, so the source's goods stream does not read them again). */
const EXISTING_GOODS: (WdtGoodsInput & { modified: number })[] = [
  {
    goods_no: 'G1001', goods_name: '连衣裙', unit_name: '件', modified: Date.parse('2020-01-01T00:00:00+08:00'),
    specs: [
      { spec_no: 'G100101S', spec_name: '红色 S', barcode: '6901001010001', retail_price: '119.9000', cost_price: '50.3600', is_batch: true },
      { spec_no: 'G100102M', spec_name: '黑色 M', barcode: '6901001020002', retail_price: '129.0000', cost_price: '54.1800', is_batch: true },
    ],
  },
  {
    goods_no: 'G1002', goods_name: '保温杯', unit_name: '个', modified: Date.parse('2020-01-01T00:00:00+08:00'),
    specs: [
      { spec_no: 'G100201S', spec_name: '白色 350ml', barcode: '6901002010001', retail_price: '59.0000', cost_price: '21.5000' },
      { spec_no: 'G100202M', spec_name: '礼盒装', barcode: '6901002020002', retail_price: '99.0000', cost_price: '40.0000' },
    ],
  },
];

/** Goods new in WDT today: become Kingdee materials through the material flow (多组织自动分配 to 100 and 101). */
export const WDT_NEW_SPECS = ['G200101', 'G200102'];

export interface WdtDemoWorld {
  wdtWorld: WdtWorldInput;
  kingdeeFixture: Fixture;
  masterData: MasterDataSeed;
  /** Documents of the business day, per WDT type, all with modified inside [fromMs, toMs]. */
  documents(day: { fromMs: number; toMs: number }): Partial<Record<WdtDocumentType, WdtDocumentInput[]>>;
}

export function wdtDemoWorld(day: { fromMs: number }): WdtDemoWorld {
  const base = loadFixture();
  const wdtWorld: WdtWorldInput = {
    shops: [
      { shop_no: 'tm-001', shop_name: '天猫旗舰店', platform_id: 1 },
      { shop_no: 'jd-001', shop_name: '京东自营店', platform_id: 3 },
    ],
    warehouses: [...WDT_WAREHOUSES, ...WDT_NEW_WAREHOUSES].map((warehouse) => ({ ...warehouse })),
    goods: [
      ...EXISTING_GOODS,
      {
        goods_no: 'G2001', goods_name: '收纳盒', unit_name: '个', modified: day.fromMs + 3_600_000,
        specs: WDT_NEW_SPECS.map((spec_no, index) => ({ spec_no, spec_name: index === 0 ? '小号' : '大号', barcode: `69020010${index}001`, retail_price: '29.9000', cost_price: '9.8000' })),
      },
    ],
    providers: [{ provider_no: 'GYS001', provider_name: '义乌市恒达服饰有限公司' }],
  };

  const specs = EXISTING_GOODS.flatMap((goods) => goods.specs.map((spec) => ({ ...spec, goods })));
  const kingdeeFixture: Fixture = {
    ...base,
    materials: [
      ...base.materials,
      ...specs.map((spec) => ({
        number: spec.spec_no,
        name: spec.goods.goods_name,
        specification: spec.spec_name ?? '',
        baseUnit: 'Pcs',
        batchManaged: spec.is_batch === true,
        onlineSale: true,
        createOrg: '100',
        useOrgs: [...WDT_ORGS],
      })),
    ],
    customers: [...base.customers, ...(wdtWorld.shops ?? []).map((shop) => ({ number: shop.shop_no, name: shop.shop_name, createOrg: '100', useOrgs: [...WDT_ORGS] }))],
    suppliers: [...base.suppliers, { number: 'GYS001', name: '义乌市恒达服饰有限公司', createOrg: '100', useOrgs: [...WDT_ORGS] }],
    warehouses: [
      ...base.warehouses,
      ...WDT_WAREHOUSES.map((warehouse) => ({ number: warehouse.warehouse_no, name: warehouse.name, allowNegative: false, createOrg: warehouse.org, useOrgs: [warehouse.org] })),
    ],
    stock: [
      ...base.stock,
      ...specs.flatMap((spec) =>
        WDT_WAREHOUSES.map((warehouse) => ({ org: warehouse.org, material: spec.spec_no, warehouse: warehouse.warehouse_no, lot: WDT_STOCK_BATCH[spec.spec_no] ?? '', qty: '1000' })),
      ),
    ],
    closedThrough: Object.fromEntries(Object.keys(base.closedThrough ?? {}).map((org) => [org, '2000-01-01'])),
  } as Fixture;

  const masterData: MasterDataSeed = {
    org: base.organisations.map((org) => ({ number: org.number, name: org.name })),
    warehouse: [...WDT_WAREHOUSES, ...WDT_NEW_WAREHOUSES].map((warehouse) => ({
      sourceSystem: 'wangdiantong',
      sourceCode: warehouse.warehouse_no,
      name: warehouse.name,
      kingdeeStockNumber: warehouse.warehouse_no,
      stockOrg: warehouse.org,
    })),
    shop: [
      { sourceSystem: 'wangdiantong', shopCode: 'tm-001', shopName: '天猫旗舰店', customerNumber: 'tm-001', deliveryOrg: '100', saleOrg: '100' },
      // no sale org: the stock-out's warehouse decides it
      { sourceSystem: 'wangdiantong', shopCode: 'jd-001', shopName: '京东自营店', customerNumber: 'jd-001', deliveryOrg: '101' },
    ],
    sku: specs.map((spec) => ({ sourceSystem: 'wangdiantong', skuCode: spec.spec_no, materialNumber: spec.spec_no, unit: 'Pcs' })),
    currency: [{ code: 'RMB', kingdeeCurrencyNumber: 'PRE001', name: '人民币' }],
    supplier: [{ sourceSystem: 'wangdiantong', sourceCode: 'GYS001', name: '义乌市恒达服饰有限公司', kingdeeSupplierNumber: 'GYS001' }],
  };

  const stocked = (spec_no: string, num: number, extra: Record<string, unknown> = {}) => ({ spec_no, num, ...(WDT_STOCK_BATCH[spec_no] ? { batch_no: WDT_STOCK_BATCH[spec_no] } : {}), ...extra });
  return {
    wdtWorld,
    kingdeeFixture,
    masterData,
    documents: ({ fromMs }) => {
      let minute = 0;
      const at = () => fromMs + (10 + minute++ * 7) * 60_000;
      return {
        sales_out: [
          { shop_no: 'tm-001', warehouse_no: 'HZ01', status: 110, modified: at(), src_tids: ['578109048318626222', '578109048318626223'], lines: [stocked('G100101S', 2), { spec_no: 'G100201S', num: 1, gift: true }] },
          { shop_no: 'jd-001', warehouse_no: 'GZ01', status: 110, modified: at(), lines: [stocked('G100202M', 3, { price: '95.5000' })] },
          { shop_no: 'tm-001', warehouse_no: 'HZ01', status: 95, modified: at(), lines: [stocked('G100201S', 1)] },
        ],
        refund_in: [
          { shop_no: 'tm-001', warehouse_no: 'HZ01', status: 80, modified: at(), lines: [{ spec_no: 'G100101S', num: 1, batch_no: 'B240301', price: '119.9000' }] },
          { shop_no: 'tm-001', warehouse_no: 'HZ01', status: 30, modified: at(), lines: [stocked('G100201S', 1)] },
        ],
        purchase_in: [
          { provider_no: 'GYS001', warehouse_no: 'HZ02', status: 80, modified: at(), lines: [{ spec_no: 'G100102M', num: 10, batch_no: 'P20240301', price: '54.1800' }, { spec_no: 'G100201S', num: 5, price: '21.5000' }] },
        ],
        purchase_return: [{ provider_no: 'GYS001', warehouse_no: 'HZ01', status: 110, modified: at(), lines: [stocked('G100201S', 1, { price: '21.5000' })] }],
        other_in: [{ warehouse_no: 'HZ01', status: 80, modified: at(), lines: [stocked('G100202M', 4, { price: '40.0000' })] }],
        other_out: [{ warehouse_no: 'HZ02', status: 110, modified: at(), lines: [stocked('G100201S', 2)] }],
        transfer: [
          // HZ01 (org 100) → GZ01 (org 101): cross-org
          { warehouse_no: 'HZ01', to_warehouse_no: 'GZ01', status: 90, modified: at(), lines: [stocked('G100101S', 3), stocked('G100201S', 2)] },
          // HZ01 → HZ02, both org 100: inner-org
          { warehouse_no: 'HZ01', to_warehouse_no: 'HZ02', status: 90, modified: at(), lines: [stocked('G100202M', 1)] },
          { warehouse_no: 'HZ01', to_warehouse_no: 'GZ01', status: 50, modified: at(), lines: [stocked('G100202M', 1)] },
        ],
        stock_pd: [{ warehouse_no: 'GZ01', status: 30, modified: at(), lines: [stocked('G100201S', 2), stocked('G100102M', -1)] }],
        assembly: [
          { warehouse_no: 'HZ01', status: 90, assembly_type: 1, modified: at(), products: [stocked('G100202M', 1)], lines: [stocked('G100201S', 2)] },
          { warehouse_no: 'HZ02', status: 90, assembly_type: 2, modified: at(), products: [stocked('G100202M', 1)], lines: [stocked('G100201S', 2)] },
        ],
      };
    },
  };
}
