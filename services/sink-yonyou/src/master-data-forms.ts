/**
 * The YonSuite master-data APIs (yonyou-api.md §3.5.9) as form entries: 物料 / 客户 / 供应商 / 仓库, each saved as an
 * upsert by code (the canonical number: the ledger key), read back by code, and — except 仓库, which belongs to one
 * 库存组织 and has no documented assign API — assigned (多组织分配) to the flow's `assignToOrgs` after the save.
 * Pure data (no runtime imports: form-maps.ts spreads it into FORM_OF while it loads).
 */
import type { MasterDataType } from '@yecai/sink-kit';
import type { YonyouForm } from './form-maps';

export interface MasterForm extends YonyouForm {
  /**
   * How the save is sent: `mdd` one record in `data` with a resubmitCheckKey (物料, 客户); `batch` a one-row `data[]`
   * whose refusal comes back inside `code 200` as failCount/messages (供应商 batchSaveV2, 仓库 batchSave).
   */
  saveShape: 'mdd' | 'batch';
  /** Read-back by code (path under `base`); `data` is a page (`recordList`) or a bare array. */
  query: string;
  /** 多组织分配 (path under `base`), the id field of its rows, and whether a row names the create org. */
  assign?: { path: string; idField: string; createOrg: boolean };
}

const DIGITAL_MODEL = '/yonbip/digitalModel';

export const MASTER_FORMS: Record<MasterDataType, MasterForm> = {
  material: {
    formId: 'product',
    base: `${DIGITAL_MODEL}/product`,
    lines: '',
    save: 'idempotent/save',
    mdd: true,
    batchActions: false,
    saveShape: 'mdd',
    query: 'listproductbycondition',
    assign: { path: 'assignOrg', idField: 'productId', createOrg: true },
  },
  customer: {
    formId: 'merchant',
    base: `${DIGITAL_MODEL}/merchant`,
    lines: '',
    save: 'idempotent/newinsert',
    mdd: true,
    batchActions: false,
    saveShape: 'mdd',
    query: 'newlist',
    assign: { path: 'batchDo', idField: 'merchantId', createOrg: true },
  },
  supplier: {
    formId: 'vendor',
    base: `${DIGITAL_MODEL}/vendor`,
    lines: '',
    save: 'batchSaveV2',
    mdd: false,
    batchActions: false,
    saveShape: 'batch',
    query: 'list',
    assign: { path: 'addvendorsuitorg', idField: 'vendorId', createOrg: false },
  },
  warehouse: {
    formId: 'warehouse',
    base: `${DIGITAL_MODEL}/warehouse`,
    lines: '',
    save: 'batchSave',
    mdd: false,
    batchActions: false,
    saveShape: 'batch',
    query: 'batchQueryDetail',
  },
};

/** The master form of a form id, or undefined for a document form. */
export function masterFormOfId(formId: string): MasterForm | undefined {
  return Object.values(MASTER_FORMS).find((form) => form.formId === formId);
}
