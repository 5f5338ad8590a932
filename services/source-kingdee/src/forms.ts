/**
 * What the source asks of each form, derived from the Kingdee form registry (libs/kingdee/src/forms — the same
 * declarations the sink writes with): the header and entry FieldKeys, the entry id, and the origin marker field.
 */
import { BILL_FORM_DECLARATIONS, MASTER_FORM_DECLARATIONS, type FieldDef } from '@yecai/kingdee';

export interface FormQueryShape {
  formId: string;
  /** The record's identity: FID of a bill, the named primary key of base data (FMATERIALID). */
  idKey: string;
  /** Header FieldKeys (one row per bill), FID / FBillNo / status / FModifyDate first. */
  headerKeys: string[];
  /** Entry FieldKeys including the entry id; empty for base data (one row per record). */
  entryKeys: string[];
  /** `<entry>_FEntryID`, the second key of the row order. */
  entryIdKey: string | undefined;
  /**
   * The sub-entry (子单据体, e.g. 组装拆卸单 子件 FSubEntity), read in its own query and nested in its entry row under
   * `key`: its FieldKeys, the entry id first, then `<sub>_FEntryID`.
   */
  subEntry?: { key: string; idKey: string; keys: string[] };
  /**
   * 第三方单据编号: sink-kingdee writes the OMS document's source id here (libs/kingdee/src/forms/maps), so a bill
   * carrying one was written by yecai (or another integration) — never a bill a person keyed into Kingdee.
   */
  originKey: string | undefined;
}

/** References are read by their number (what a person and the OMS know), everything else as stored. */
const keyOf = (field: FieldDef): string => (typeof field.type === 'object' ? `${field.key}.FNumber` : field.key);
const ORIGIN = /^FThird(Src)?BillNo$/i;

/**
 * The sub-entry's keys: its row id as `<sub>_FEntryID` (what the entry id is called; Kingdee's sub-entity primary key
 * is FDetailID in its metadata — the emulator answers `_FEntryID`; check on a real server), its fields by number.
 */
function subEntryShape(key: string, entryIdKey: string, fields: FieldDef[]): NonNullable<FormQueryShape['subEntry']> {
  const idKey = `${key}_FEntryID`;
  return { key, idKey, keys: [entryIdKey, idKey, ...fields.map(keyOf)] };
}

export function formQueryShape(formId: string): FormQueryShape {
  const bill = BILL_FORM_DECLARATIONS.find((form) => form.formId === formId);
  if (bill) {
    const header = [...bill.header, ...bill.subHeads.flatMap((sub) => sub.fields)].filter(
      (field) => field.key !== 'FBillNo',
    );
    const entryIdKey = `${bill.entry.key}_FEntryID`;
    const headerNames = new Set(['fbillno', ...header.map((field) => field.key.toLowerCase())]);
    return {
      formId,
      idKey: 'FID',
      headerKeys: ['FID', 'FBillNo', 'FDocumentStatus', 'FCancelStatus', 'FModifyDate', ...header.map(keyOf)],
      // An entry field named like a header field (FNote) would answer the header's value: only the header's is asked.
      entryKeys: [
        entryIdKey,
        ...bill.entry.fields.filter((field) => !headerNames.has(field.key.toLowerCase())).map(keyOf),
      ],
      entryIdKey,
      originKey: header.find((field) => ORIGIN.test(field.key))?.key,
      ...(bill.subEntry ? { subEntry: subEntryShape(bill.subEntry.key, entryIdKey, bill.subEntry.fields) } : {}),
    };
  }
  const master = MASTER_FORM_DECLARATIONS.find((form) => form.formId === formId);
  if (!master)
    throw new Error(`kingdee source: form ${formId} is not in the Kingdee form registry (libs/kingdee/src/forms)`);
  const fields = [...master.fields, ...master.subHeads.flatMap((sub) => sub.fields)];
  return {
    formId,
    idKey: master.pkField,
    headerKeys: [
      master.pkField,
      'FNumber',
      'FName',
      'FDocumentStatus',
      'FForbidStatus',
      'FModifyDate',
      'FUseOrgId.FNumber',
      ...fields.map(keyOf),
    ],
    entryKeys: [],
    entryIdKey: undefined,
    originKey: undefined,
  };
}
