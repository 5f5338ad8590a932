/**
 * What reconciliation compares per flow, declared once: the Kingdee form and the FieldKeys of the mirror, and which
 * canonical fields give the same facts on the source side. A new flow reconciles by adding one declaration here.
 * Quantities are the base-unit quantity (FBaseUnitQty and its per-form spellings, finance-flows §2.1); amounts the
 * tax-inclusive line amount 价税合计 (FAllAmount).
 */
import type { CanonicalJson } from '@yecai/contracts';

export interface KingdeeFieldKeys {
  date: string;
  org: string;
  shop: string;
  /** The bill's link to its source document (the sink writes the source id there). */
  ref: string;
  entryId: string;
  material: string;
  warehouse: string;
  lot: string;
  baseQty: string;
  amount: string;
}

/**
 * The YonSuite side of a flow: its list API (one row per line, header and line columns flattened — yonyou-api.md
 * §3.6) and the columns holding the facts; `material` and `warehouse` are the resolved `product_cCode` /
 * `warehouse_code`, the quantity `qty`, the amount 价税合计 `oriSum`, the lot `batchno`, the source id `out_sys_id`.
 */
export interface YonyouListColumns {
  /** The document kind as sink-yonyou names it (its form id), e.g. salesout. */
  formId: string;
  listPath: string;
  org: string;
  shop: string;
  /**
   * The sink leaves these documents saved (开立) — no audit is mapped for them (销售退货) — so a saved one counts as
   * posted; otherwise only an audited one (status 1) does.
   */
  savedIsFinal?: true;
}

export interface ReconcileFlow {
  documentType: string;
  formId: string;
  /** zh-CN caption for reports. */
  caption: string;
  fields: KingdeeFieldKeys;
  yonyou: YonyouListColumns;
  /** The org and shop (customer) of a canonical event, as Kingdee numbers. */
  orgOf: (document: CanonicalJson) => string;
  shopOf: (document: CanonicalJson) => string;
}

/** Header fields every bill form has: the mirror's identity, status and change time. */
export const COMMON_FIELD_KEYS = {
  fid: 'FID',
  billNo: 'FBillNo',
  status: 'FDocumentStatus',
  cancelStatus: 'FCancelStatus',
  modifyDate: 'FModifyDate',
} as const;

const text = (document: CanonicalJson, key: string): string =>
  typeof document[key] === 'string' ? (document[key] as string) : '';

export const RECONCILE_FLOWS: readonly ReconcileFlow[] = [
  {
    documentType: 'sales_outstock',
    formId: 'SAL_OUTSTOCK',
    caption: '销售出库',
    fields: {
      date: 'FDate',
      org: 'FStockOrgId.FNumber',
      shop: 'FCustomerID.FNumber',
      ref: 'SubHeadEntity.FThirdBillNo',
      entryId: 'FEntity_FEntryID',
      material: 'FMaterialID.FNumber',
      warehouse: 'FStockID.FNumber',
      lot: 'FLot.FNumber',
      baseQty: 'FBaseUnitQty',
      amount: 'FAllAmount',
    },
    yonyou: { formId: 'salesout', listPath: '/yonbip/scm/salesout/list', org: 'org', shop: 'cust' },
    orgOf: (document) => text(document, 'deliveryOrg'),
    shopOf: (document) => text(document, 'customer'),
  },
  {
    documentType: 'sales_return',
    formId: 'SAL_RETURNSTOCK',
    caption: '销售退货',
    fields: {
      date: 'FDate',
      org: 'FStockOrgId.FNumber',
      shop: 'FRetcustId.FNumber',
      ref: 'SubHeadEntity.FThirdBillNo',
      entryId: 'FEntity_FEntryID',
      material: 'FMaterialId.FNumber',
      warehouse: 'FStockId.FNumber',
      lot: 'FLot.FNumber',
      baseQty: 'FBaseunitQty',
      amount: 'FAllAmount',
    },
    // The stock org is a line field of the 销售退货单 (stockOrgId); the customer is agentId.
    yonyou: { formId: 'salereturn', listPath: '/yonbip/sd/vouchersalereturn/list', org: 'stockOrgId', shop: 'agentId', savedIsFinal: true },
    orgOf: (document) => text(document, 'stockOrg'),
    shopOf: (document) => text(document, 'customer'),
  },
];

export function reconcileFlow(documentType: string): ReconcileFlow {
  const flow = RECONCILE_FLOWS.find((candidate) => candidate.documentType === documentType);
  if (!flow) {
    const known = RECONCILE_FLOWS.map((candidate) => candidate.documentType).join(', ');
    throw new Error(`未声明对账的流程 flow "${documentType}" has no reconciliation declaration (known: ${known})`);
  }
  return flow;
}
