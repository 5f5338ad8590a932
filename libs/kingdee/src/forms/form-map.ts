/**
 * Declarative form maps: which canonical field (a path into the canonical event) fills which Save-model field of a
 * Kingdee form, and how. Maps are data (TypeScript objects built with the helpers below rather than YAML: the
 * transforms are a closed, type-checked vocabulary, the few form-specific hooks sit beside the data, and no parser
 * or second schema language is needed). form-map-check.ts checks every map against the canonical Avro definitions
 * when it is loaded; form-map-convert.ts runs them; render.ts shows them in docs/field-mapping.md.
 *
 * Paths: `customer` (document field), `source.sourceId` (nested record), `lines[].quantity` (the current line of
 * the entry list `lines`), `products[].components[].material` (a sub-entry row). Inside an entry list a path
 * without `[]` still reads the document (e.g. `owner` on every line).
 */
import type { CanonicalJson, SaveDraft } from './form-map-types';

/** How a canonical value becomes a Save-model value. */
export type Transform =
  /** text as is */
  | 'text'
  /** `{FNumber: text}`: a base-data or org reference by number */
  | 'ref'
  /** exact decimal (decimal.js; the client writes it as an exact JSON number) */
  | 'decimal'
  /** true / false */
  | 'bool';

export interface ValueField {
  kind: 'value';
  /** Save-model field key (for a custom field: its default key, the flow's `customFields` may rename it). */
  key: string;
  path: string;
  as: Transform;
  /** No value (absent, null, empty text) → the field is left out; otherwise the event is refused naming the path. */
  optional: boolean;
  /** Path read when `path` has no value (e.g. settleOrg, else saleOrg). */
  or?: string;
  /** Translation of the canonical value (enum symbol, or true/false) to Kingdee's; unlisted values take `otherwise`. */
  choose?: { cases: Record<string, string>; otherwise?: string };
  /** The key comes from the flow's `customFields.<name>` (flows.md §2 tenant custom fields). */
  customKey?: 'logisticsNumber' | 'onlineOrderNumber';
}

export interface ConstantField {
  kind: 'constant';
  key: string;
  value: string | number | boolean;
  /** Written only when this path has a value (e.g. owner type only with an owner). */
  when?: string;
}

/** A sub-header (子单据头): an object of fields. */
export interface ObjectField {
  kind: 'object';
  key: string;
  fields: FieldMap[];
}

/** An entry (单据体) or sub-entry: one row per element of the canonical list at `path`. */
export interface EntryField {
  kind: 'entries';
  key: string;
  path: string;
  fields: FieldMap[];
  /** Only elements whose `path` equals `equals` (stock count: GAIN lines to 盘盈单, LOSS lines to 盘亏单). */
  where?: { path: string; equals: string };
}

export type FieldMap = ValueField | ConstantField | ObjectField | EntryField;

export interface FormMap {
  formId: string;
  documentType: string;
  /** Model fields after the form's standard head (bills: FID, FBillTypeID, FBillNo, FDate). */
  fields: FieldMap[];
  /** Shown in docs/field-mapping.md (Chinese, English beside it). */
  description?: string;
  /** With an entry `where`: a document none of whose lines match gets no bill of this form. */
  omitWhenNoLines?: boolean;
}

/** All forms one canonical document type becomes, and the code hook a type truly needs. */
export interface DocumentMap {
  documentType: string;
  forms: FormMap[];
  /** Runs on the drafts of all forms (e.g. a stock count must give at least one bill). */
  check?: (drafts: SaveDraft[], document: CanonicalJson) => void;
}

// ------------------------------------------------------------------ helpers that build the data

type ValueOptions = Partial<Pick<ValueField, 'or' | 'choose' | 'customKey'>>;
const value = (as: Transform, optional: boolean) => (key: string, path: string, options: ValueOptions = {}): ValueField => ({ kind: 'value', key, path, as, optional, ...options });

export const text = value('text', false);
export const optText = value('text', true);
export const ref = value('ref', false);
export const optRef = value('ref', true);
export const decimal = value('decimal', false);
export const optDecimal = value('decimal', true);
export const bool = value('bool', false);
export const constant = (key: string, fixed: ConstantField['value'], when?: string): ConstantField => ({ kind: 'constant', key, value: fixed, ...(when ? { when } : {}) });
export const object = (key: string, fields: FieldMap[]): ObjectField => ({ kind: 'object', key, fields });
export const entries = (key: string, path: string, fields: FieldMap[], where?: EntryField['where']): EntryField => ({ kind: 'entries', key, path, fields, ...(where ? { where } : {}) });
/** Translates a canonical value (enum symbol or true/false) to Kingdee's words. */
export const choose = (key: string, path: string, as: 'text' | 'bool', cases: Record<string, string>, otherwise?: string): ValueField => ({
  kind: 'value',
  key,
  path,
  as,
  optional: false,
  choose: { cases, ...(otherwise === undefined ? {} : { otherwise }) },
});
