/**
 * Master data (物料 / 客户 / 供应商 / 仓库): canonical material, customer, supplier and warehouse events become Save
 * models of BD_MATERIAL / BD_Customer / BD_Supplier / BD_STOCK (kingdee-webapi.md §6.3), created in their create org and then
 * allocated (分配, §4.9) to every use org of the flow. The ledger key is the record's number (FNumber) in the
 * create org — deterministic, unique per form and create org, like FBillNo for bills.
 */
import { ValidationError } from '@yecai/common';
import { FORMS_OF, SUPPORTED_DOCUMENT_TYPES, convertDocument, type BillDraft, type CanonicalJson, type ConvertOptions, type SupportedDocumentType } from './convert';

export const MASTER_DATA_TYPES = ['material', 'customer', 'supplier', 'warehouse'] as const;
export type MasterDataType = (typeof MASTER_DATA_TYPES)[number];

/** Every canonical type the sink posts: bills (convert.ts) and master data (here). */
export const SINK_DOCUMENT_TYPES = [...SUPPORTED_DOCUMENT_TYPES, ...MASTER_DATA_TYPES] as const;
export type SinkDocumentType = SupportedDocumentType | MasterDataType;

/** Base-data forms: the form id and its primary-key field (the internal id, FID's counterpart). */
export const MASTER_FORMS: Record<MasterDataType, { formId: string; pkField: string }> = {
  material: { formId: 'BD_MATERIAL', pkField: 'FMATERIALID' },
  customer: { formId: 'BD_Customer', pkField: 'FCUSTID' },
  supplier: { formId: 'BD_Supplier', pkField: 'FSupplierId' },
  warehouse: { formId: 'BD_STOCK', pkField: 'FStockId' },
};

const PK_FIELD_OF_FORM = new Map(Object.values(MASTER_FORMS).map((form) => [form.formId, form.pkField]));

export function isMasterDataType(documentType: string): documentType is MasterDataType {
  return (MASTER_DATA_TYPES as readonly string[]).includes(documentType);
}

/** The base-data primary-key field of `formId`, or undefined for a bill form. */
export function masterPkField(formId: string): string | undefined {
  return PK_FIELD_OF_FORM.get(formId);
}

/** Kingdee forms a canonical type is written to. */
export function formsOf(documentType: SinkDocumentType): string[] {
  return isMasterDataType(documentType) ? [MASTER_FORMS[documentType].formId] : FORMS_OF[documentType];
}

/** What the poster writes for one canonical document: bills through convert.ts, master data here. */
export function draftsOf(documentType: SinkDocumentType, canonical: CanonicalJson, options: ConvertOptions): BillDraft[] {
  return isMasterDataType(documentType) ? [convertMasterData(documentType, canonical)] : convertDocument(documentType, canonical, options);
}

/**
 * The use orgs a record must be allocated to: the flow's `allocateToOrgs` plus the event's own `useOrgs`, without
 * its create org (where the record is created).
 */
export function allocationTargets(canonical: CanonicalJson, allocateToOrgs: string[]): string[] {
  const createOrg = text(canonical, 'createOrg');
  const own = Array.isArray(canonical.useOrgs) ? canonical.useOrgs.map(String) : [];
  return [...new Set([...allocateToOrgs, ...own])].filter((org) => org !== createOrg).sort();
}

/** The create org (number) of a master-data event. */
export function createOrgOf(canonical: CanonicalJson): string {
  return text(canonical, 'createOrg');
}

/** Canonical material / customer / supplier / warehouse → Save model (FNumber is the ledger key). */
export function convertMasterData(documentType: MasterDataType, canonical: CanonicalJson): BillDraft {
  const number = text(canonical, 'number');
  const createOrg = text(canonical, 'createOrg');
  const head = { FCreateOrgId: { FNumber: createOrg }, FUseOrgId: { FNumber: createOrg }, FNumber: number, FName: text(canonical, 'name') };
  const { formId } = MASTER_FORMS[documentType];
  switch (documentType) {
    case 'material':
      return {
        formId,
        billNo: number,
        model: {
          ...head,
          ...optionalText(canonical, 'specification', 'FSpecification'),
          ...optionalText(canonical, 'barcode', 'FBarCode'),
          F_YC_IsOnline: flag(canonical, 'soldOnline'),
          // 基本 and 库存 sub-headers of BD_MATERIAL (§6.3): base unit, batch management.
          SubHeadEntity: { FErpClsID: '1', FBaseUnitId: { FNumber: text(canonical, 'baseUnit') } },
          SubHeadEntity1: { FStoreUnitID: { FNumber: text(canonical, 'baseUnit') }, FIsBatchManage: flag(canonical, 'batchManaged') },
        },
      };
    case 'customer':
      return {
        formId,
        billNo: number,
        model: { ...head, FTRADINGCURRID: { FNumber: text(canonical, 'tradingCurrencyNumber') }, ...(optional(canonical, 'group') ? { FGroup: { FNumber: optional(canonical, 'group') } } : {}) },
      };
    case 'supplier':
      return {
        formId,
        billNo: number,
        model: { ...head, FFinanceInfo: { FPayCurrencyId: { FNumber: text(canonical, 'payCurrencyNumber') } } },
      };
    case 'warehouse':
      // 仓库属性 1 = 普通仓库 (§6.3 BD_STOCK); the warehouse's own org is its create and use org.
      return { formId, billNo: number, model: { ...head, FStockProperty: '1', FAllowMinusQty: flag(canonical, 'allowNegativeStock') } };
  }
}

function text(document: CanonicalJson, field: string): string {
  const value = document[field];
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`canonical ${field}: required, got ${JSON.stringify(value)}`, field);
  return value;
}

function optional(document: CanonicalJson, field: string): string | undefined {
  const value = document[field];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function optionalText(document: CanonicalJson, field: string, key: string): Record<string, string> {
  const value = optional(document, field);
  return value === undefined ? {} : { [key]: value };
}

function flag(document: CanonicalJson, field: string): boolean {
  const value = document[field];
  if (typeof value !== 'boolean') throw new ValidationError(`canonical ${field}: must be true or false, got ${JSON.stringify(value)}`, field);
  return value;
}
