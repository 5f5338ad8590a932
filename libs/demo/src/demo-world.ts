import { SHOPS, SKUS, SUPPLIERS, WAREHOUSES, type JstDocumentType } from '@yecai/emulator-jushuitan';
import { loadFixture, type Fixture } from '@yecai/emulator-kingdee';

/**
 * One consistent company seen from both sides: the shops, warehouses and SKUs the JST emulator generates
 * documents for, the Kingdee 账套 that holds matching base data (flows.md §2: shop code = customer code,
 * warehouse code = warehouse code), and the master-data maps the implementation team keeps in between.
 *
 * A real day has exceptions, so the world has some on purpose (each can be switched off):
 * - warehouse 天津保税仓 (100004) has no Kingdee mapping → the mapping stage parks its documents (level 1);
 * - one SKU is mapped but its material does not exist in Kingdee → Kingdee rejects it and the sink parks it (level 1).
 */
export interface DemoWorldOptions {
  /** Leave warehouse 100004 out of the master-data maps (default true). */
  unmappedWarehouse?: boolean;
  /** Leave one SKU's material out of Kingdee (default true). */
  materialMissingInKingdee?: boolean;
  /** Stock of every material in every warehouse and batch at the start of the day. */
  openingStock?: number;
}

export const DEMO_ORG = '100';
export const UNMAPPED_WAREHOUSE = 100004;
/** A SKU whose material the Kingdee 账套 lacks (the master data maps it anyway, as a typo in a real project would). */
export const MATERIAL_MISSING_SKU = SKUS[SKUS.length - 1]!.sku_id;

/** Kingdee stock number of a JST warehouse: same code (flows.md §2). */
export const kingdeeWarehouseNumber = (wmsCoId: number): string => String(wmsCoId);
/** Kingdee supplier number of a JST supplier: same code. */
export const kingdeeSupplierNumber = (supplierId: number): string => String(supplierId);
/** Kingdee customer number of a JST shop: same code. */
export const kingdeeCustomerNumber = (shopId: number): string => String(shopId);

/**
 * The JST lot policy (services/mapping/rules/jushuitan/lot-policy.yaml) as Kingdee sees it for the demo's documents,
 * which carry no batch number on stock-out lines: style code with A → lot "0" (batch-managed), with G → no lot. The
 * opening stock sits in these lots, so every flow that takes stock out finds it (demo-world.test.ts checks a day).
 */
export function batchOf(iId: string): string {
  if (iId.includes('A')) return '0';
  return '';
}

export interface MasterDataSeed {
  org: Record<string, unknown>[];
  warehouse: Record<string, unknown>[];
  shop: Record<string, unknown>[];
  sku: Record<string, unknown>[];
  currency: Record<string, unknown>[];
  supplier: Record<string, unknown>[];
}

export interface DemoWorld {
  kingdeeFixture: Fixture;
  masterData: MasterDataSeed;
  /** Documents per JST type for a business day of roughly `documents` documents. */
  businessDay(documents: number): Partial<Record<JstDocumentType, number>>;
}

export function demoWorld(options: DemoWorldOptions = {}): DemoWorld {
  const unmappedWarehouse = options.unmappedWarehouse ?? true;
  const materialMissing = options.materialMissingInKingdee ?? true;
  const openingStock = String(options.openingStock ?? 100_000);
  const base = loadFixture();

  const materials = SKUS.filter((sku) => !(materialMissing && sku.sku_id === MATERIAL_MISSING_SKU)).map((sku) => ({
    number: sku.sku_id,
    name: sku.name,
    specification: sku.properties_value,
    baseUnit: 'Pcs',
    batchManaged: batchOf(sku.i_id) !== '',
    useOrgs: [DEMO_ORG],
    onlineSale: true,
  }));
  const kingdeeFixture: Fixture = {
    ...base,
    materials: [...base.materials, ...materials],
    customers: [
      ...base.customers,
      ...SHOPS.map((shop) => ({ number: kingdeeCustomerNumber(shop.shop_id), name: shop.shop_name, useOrgs: [DEMO_ORG] })),
    ],
    suppliers: [
      ...base.suppliers,
      ...SUPPLIERS.map((supplier) => ({
        number: kingdeeSupplierNumber(supplier.supplier_id),
        name: supplier.supplier_name,
        useOrgs: [DEMO_ORG],
      })),
    ],
    warehouses: [
      ...base.warehouses,
      ...WAREHOUSES.map((warehouse) => ({
        number: kingdeeWarehouseNumber(warehouse.wms_co_id),
        name: warehouse.name,
        useOrgs: [DEMO_ORG],
      })),
    ],
    stock: [
      ...base.stock,
      ...materials.flatMap((material) =>
        WAREHOUSES.map((warehouse) => ({
          org: DEMO_ORG,
          material: material.number,
          warehouse: kingdeeWarehouseNumber(warehouse.wms_co_id),
          lot: material.batchManaged ? '0' : '',
          qty: openingStock,
        })),
      ),
    ],
    // The business day is today: keep the accounting period open.
    closedThrough: Object.fromEntries(Object.keys(base.closedThrough ?? {}).map((org) => [org, '2000-01-01'])),
  } as Fixture;

  const masterData: MasterDataSeed = {
    org: base.organisations.map((org) => ({ number: org.number, name: org.name })),
    warehouse: WAREHOUSES.filter((warehouse) => !(unmappedWarehouse && warehouse.wms_co_id === UNMAPPED_WAREHOUSE)).map(
      (warehouse) => ({
        sourceSystem: 'jushuitan',
        sourceCode: String(warehouse.wms_co_id),
        name: warehouse.name,
        kingdeeStockNumber: kingdeeWarehouseNumber(warehouse.wms_co_id),
        stockOrg: DEMO_ORG,
      }),
    ),
    shop: SHOPS.map((shop) => ({
      sourceSystem: 'jushuitan',
      shopCode: String(shop.shop_id),
      shopName: shop.shop_name,
      customerNumber: kingdeeCustomerNumber(shop.shop_id),
      deliveryOrg: DEMO_ORG,
      saleOrg: DEMO_ORG,
    })),
    sku: SKUS.map((sku) => ({ sourceSystem: 'jushuitan', skuCode: sku.sku_id, materialNumber: sku.sku_id, unit: 'Pcs' })),
    currency: [{ code: 'RMB', kingdeeCurrencyNumber: 'PRE001', name: '人民币' }],
    supplier: SUPPLIERS.map((supplier) => ({
      sourceSystem: 'jushuitan',
      sourceCode: String(supplier.supplier_id),
      name: supplier.supplier_name,
      kingdeeSupplierNumber: kingdeeSupplierNumber(supplier.supplier_id),
    })),
  };

  return {
    kingdeeFixture,
    masterData,
    // A shop's day: mostly shipments, then returns, a few purchases, adjustments, transfers and a stock-take.
    businessDay: (documents) => {
      const share = (fraction: number) => Math.max(1, Math.round(documents * fraction));
      return {
        sales_outstock: share(0.8),
        aftersale_received: share(0.12), // 实际收货: the returns that arrived (F4 posts these)
        purchase_in: share(0.03),
        purchase_out: share(0.01),
        other_inout: share(0.02),
        allocate: share(0.01),
        stock_count: share(0.01),
      };
    },
  };
}
