import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { EMULATOR_CREDENTIALS, type RefType, type YonyouEmulator } from '@yecai/emulator-yonyou';
import { SHOPS, SKUS, SUPPLIERS, WAREHOUSES } from '@yecai/emulator-jushuitan';
import { YONYOU_DOCUMENT_TYPES } from '@yecai/sink-yonyou';
import { MATERIAL_MISSING_SKU } from './demo-world';

/** The finance system a pipeline run posts to: 金蝶云星空 (default) or 用友 YonSuite. */
export type FinanceTarget = 'kingdee' | 'yonyou';

/** The variable holding the YonSuite emulator's app secret (the sink's config references it, never inlines it). */
export const DEMO_YONYOU_SECRET_ENV = 'YECAI_DEMO_YONYOU_APP_SECRET';

/**
 * The demo company as its YonSuite tenant knows it: the same codes as the Kingdee 账套 (shop = customer, warehouse,
 * supplier, SKU = product), so the canonical events need no second mapping. The SKU Kingdee lacks is left out here too,
 * so the demo's deliberate sink exception (level 1, the material is missing) happens on either target.
 */
export function yonyouReferences(
  options: { materialMissing?: boolean } = {},
): Partial<Record<RefType, [string, string][]>> {
  const materialMissing = options.materialMissing ?? true;
  return {
    customer: SHOPS.map((shop) => [String(shop.shop_id), shop.shop_name]),
    vendor: SUPPLIERS.map((supplier) => [String(supplier.supplier_id), supplier.supplier_name]),
    warehouse: WAREHOUSES.map((warehouse) => [String(warehouse.wms_co_id), warehouse.name]),
    product: SKUS.filter((sku) => !(materialMissing && sku.sku_id === MATERIAL_MISSING_SKU)).map((sku) => [
      sku.sku_id,
      sku.name,
    ]),
  };
}

/**
 * Flow settings per type beyond the currency: 调拨, 盘点, 销售退货, 采购退货, 应收 and 收款 have no documented standard 交易类型
 * (the emulator tenant's, DEFAULT_REFERENCES); the purchase return shares 采购入库's codes, so it has its own pattern.
 */
const YONYOU_FLOW_SETTINGS: Record<string, Record<string, unknown>> = {
  transfer: { bustype: 'A33001' },
  sales_return: { bustype: 'XSTH01' },
  stock_count: { bustype: 'A29001' },
  purchase_return: { bustype: 'CGTH01', billNumberPattern: 'TH-{billNumber}' },
  receivable: { bustype: 'ar_colsale' },
  // The 收款单 also takes the tenant's 结算方式 and the 企业银行账号 the payouts arrive on.
  receipt: { bustype: 'ar_colsale', settleMode: 'system_0001', enterpriseBankAccount: '6222000000000001' },
  // The 凭证 of a settlement's fees: the emulator tenant's 账簿, 凭证类型, maker and clearing account.
  fee_settlement: { accbook: 'A001', voucherType: '01', maker: '13800000000', clearingAccount: '1012.05' },
};

/** The sink-yonyou flows for the canonical types a run emits: the types YonSuite has a form map for, with the tenant's settings. */
export function yonyouSinkFlows(canonicalTypes: readonly string[]): Record<string, unknown>[] {
  return canonicalTypes
    .filter((type) => (YONYOU_DOCUMENT_TYPES as readonly string[]).includes(type))
    .map((documentType) => ({ documentType, currencyCodes: { RMB: 'CNY' }, ...YONYOU_FLOW_SETTINGS[documentType] }));
}

/** The emulator tenant's app secret, for an in-process client (the services get it through DEMO_YONYOU_SECRET_ENV). */
export function demoYonyouAppSecret(): string {
  return EMULATOR_CREDENTIALS.appSecret;
}

/** The connection to the YonSuite emulator's tenant; the secret is read from DEMO_YONYOU_SECRET_ENV. */
export function demoYonyouConnection(lookupUrl: string, callsPerMinute: number): Record<string, unknown> {
  return {
    name: 'demo',
    tenantId: EMULATOR_CREDENTIALS.tenantId,
    appKey: EMULATOR_CREDENTIALS.appKey,
    appSecret: `env:${DEMO_YONYOU_SECRET_ENV}`,
    lookupUrl,
    limits: { callsPerMinute, throttledPauseMs: 1_000 },
    timeoutMs: 10_000,
    inProgressDelayMs: 500,
    retry: { maxAttempts: 4, initialDelayMs: 200, maxDelayMs: 2_000 },
  };
}

/**
 * Every document in the target system, per form (Kingdee form id / YonSuite document kind) and document number, with
 * how many documents carry that number: what the exactly-once check and the summary compare the sink's ledger with.
 */
export function targetDocuments(
  target: { kingdee: KingdeeEmulator } | { yonyou: YonyouEmulator },
): Map<string, Map<string, number>> {
  const byForm = new Map<string, Map<string, number>>();
  const add = (form: string, number: string) => {
    const numbers = byForm.get(form) ?? new Map<string, number>();
    numbers.set(number, (numbers.get(number) ?? 0) + 1);
    byForm.set(form, numbers);
  };
  if ('kingdee' in target) {
    for (const [formId, bills] of target.kingdee.state.bills) {
      byForm.set(formId, new Map());
      for (const bill of bills.values()) add(formId, bill.billNo);
    }
  } else {
    for (const kind of Object.keys(target.yonyou.state.counts())) {
      byForm.set(kind, new Map());
      for (const document of target.yonyou.state.documentsOf(kind))
        add(kind, target.yonyou.state.businessKey(document));
    }
  }
  return byForm;
}
