/**
 * Master data (物料 / 客户 / 供应商 / 仓库): canonical material, customer, supplier and warehouse events become Save
 * models of BD_MATERIAL / BD_Customer / BD_Supplier / BD_STOCK (kingdee-webapi.md §6.3; forms and maps in
 * @yecai/kingdee), created in their create org and then allocated (分配, §4.9) to every use org of the flow. The
 * ledger key is the record's number (FNumber) in the create org — deterministic, unique per form and create org,
 * like FBillNo for bills.
 */
import { MASTER_DATA_TYPES, isMasterDataType, useOrgTargets, type MasterDataType } from '@yecai/sink-kit';
import { MASTER_FORM_DECLARATIONS, documentMap, formsPostedFrom, masterReader, runDocumentMap } from '@yecai/kingdee';
import { FORMS_OF, SUPPORTED_DOCUMENT_TYPES, convertDocument, type BillDraft, type CanonicalJson, type ConvertOptions, type SupportedDocumentType } from './convert';

export { MASTER_DATA_TYPES, isMasterDataType, type MasterDataType };

/** Every canonical type the sink posts: bills (convert.ts) and master data (here). */
export const SINK_DOCUMENT_TYPES = [...SUPPORTED_DOCUMENT_TYPES, ...MASTER_DATA_TYPES] as const;
export type SinkDocumentType = SupportedDocumentType | MasterDataType;

/** Base-data forms: the form id and its primary-key field (the internal id, FID's counterpart), from the registry. */
export const MASTER_FORMS = Object.fromEntries(
  MASTER_DATA_TYPES.map((type) => {
    const [form] = formsPostedFrom(type);
    return [type, { formId: form!.formId, pkField: form!.pkField }];
  }),
) as Record<MasterDataType, { formId: string; pkField: string }>;

const PK_FIELD_OF_FORM = new Map(MASTER_FORM_DECLARATIONS.filter((form) => form.documentTypes.length > 0).map((form) => [form.formId as string, form.pkField]));

/** The base-data primary-key field of `formId`, or undefined for a bill form. */
export function masterPkField(formId: string): string | undefined {
  return PK_FIELD_OF_FORM.get(formId);
}

/** Kingdee forms a canonical type is written to. */
export function formsOf(documentType: SinkDocumentType): string[] {
  return isMasterDataType(documentType) ? [MASTER_FORMS[documentType].formId] : FORMS_OF[documentType];
}

/** What the poster writes for one canonical document: bills and master data, each through its form map. */
export function draftsOf(documentType: SinkDocumentType, canonical: CanonicalJson, options: ConvertOptions): BillDraft[] {
  return isMasterDataType(documentType) ? [convertMasterData(documentType, canonical)] : convertDocument(documentType, canonical, options);
}

/**
 * The use orgs a record must be allocated to: the flow's `allocateToOrgs` plus the event's own `useOrgs`, without
 * its create org (where the record is created).
 */
export function allocationTargets(canonical: CanonicalJson, allocateToOrgs: string[]): string[] {
  return useOrgTargets(canonical, allocateToOrgs, createOrgOf(canonical));
}

/** The create org (number) of a master-data event. */
export function createOrgOf(canonical: CanonicalJson): string {
  return masterReader.text(canonical.createOrg, 'createOrg');
}

/** Canonical material / customer / supplier / warehouse → Save model (FNumber is the ledger key). */
export function convertMasterData(documentType: MasterDataType, canonical: CanonicalJson): BillDraft {
  // Base-data maps read no flow option (no bill number pattern, bill type or custom field).
  const [draft] = runDocumentMap(documentMap(documentType), canonical, { billNumberPattern: '{billNumber}', customFields: { logisticsNumber: '', onlineOrderNumber: '' } });
  return draft!;
}
