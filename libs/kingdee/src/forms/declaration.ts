import type { BaseFormId, EntityDef, FieldDef, SubHeadDef } from './fields';

/**
 * One Kingdee bill form (单据): what the sink writes, the emulator enforces and the docs show. Kingdee's own
 * behaviour on Save/Audit (stock moves, derived amounts) is the emulator's, not declared here.
 */
export interface BillFormDeclaration {
  kind: 'bill';
  formId: string;
  caption: string;
  /** FBillTypeID written when the flow names none (e.g. XSCKD01_SYS). */
  defaultBillType: string;
  /** The bill number field: unique per form, the sink's idempotency key. */
  numberField: 'FBillNo';
  /** Header primary key (0 = create). */
  pkField: 'FID';
  /** Prefix of the numbers Kingdee assigns itself when a Save carries no FBillNo (XSCKD000001). */
  billNoPrefix: string;
  /** Header org whose base-data copies the bill's references resolve in, and whose closing date applies. */
  orgField: string;
  /** Canonical document types posted to this form (the sink's flows); empty = declared, not posted yet. */
  documentTypes: string[];
  /** Save model shape: header fields, sub-headers (objects), the entry (array) and its sub-entry. */
  header: FieldDef[];
  subHeads: SubHeadDef[];
  entry: EntityDef;
  subEntry?: EntityDef;
  /** A second entry table beside `entry` at the top level of the Model (收款单 源单明细 FRECEIVEBILLSRCENTRY). */
  secondEntry?: EntityDef;
}

/** One base-data form (基础资料): created in its create org, allocated (分配) to use orgs. */
export interface MasterFormDeclaration {
  kind: 'master';
  formId: BaseFormId;
  caption: string;
  numberField: 'FNumber';
  /** Named primary key (FMATERIALID, FCUSTID …): the internal id, FID's counterpart. */
  pkField: string;
  /** Organisations, units and currencies are not per use org. */
  orgScoped: boolean;
  /** Canonical document types posted to this form; empty = reference data the sink only reads. */
  documentTypes: string[];
  /** Top-level Model fields besides FNumber / FName / FCreateOrgId / FUseOrgId. */
  fields: FieldDef[];
  /** Sub-headers (BD_MATERIAL 基本 SubHeadEntity, 库存 SubHeadEntity1): Model objects, queried by field key. */
  subHeads: SubHeadDef[];
}

export type FormDeclaration = BillFormDeclaration | MasterFormDeclaration;
