/**
 * Field definitions of Kingdee forms (kingdee-webapi.md §6): field key, caption (the words Kingdee's own errors
 * use), type and whether Kingdee requires it. Field keys match case-insensitively, like the real server.
 */

/** Base-data forms a field can reference (`{FNumber: …}` in a Save model). */
export type BaseFormId = 'ORG_Organizations' | 'BD_MATERIAL' | 'BD_Customer' | 'BD_Supplier' | 'BD_STOCK' | 'BD_UNIT' | 'BD_Currency';

export type FieldType = 'text' | 'date' | 'decimal' | 'bool' | 'enum' | 'lot' | { ref: BaseFormId };

export interface FieldDef {
  key: string;
  caption: string;
  type: FieldType;
  required: boolean;
}

/** A sub-header (子单据头): an object in the Model whose fields are stored and queried like header fields. */
export interface SubHeadDef {
  key: string;
  fields: FieldDef[];
}

/** An entry (单据体) or sub-entry (子单据体): an array of rows in the Model. */
export interface EntityDef {
  key: string;
  caption: string;
  /** ORM property name of the entity collection in View answers. */
  ormName: string;
  fields: FieldDef[];
}

const REF_CODES: Record<string, BaseFormId> = {
  org: 'ORG_Organizations',
  mat: 'BD_MATERIAL',
  cust: 'BD_Customer',
  supp: 'BD_Supplier',
  stock: 'BD_STOCK',
  unit: 'BD_UNIT',
  curr: 'BD_Currency',
};
const SIMPLE_TYPES: Record<string, FieldType> = { t: 'text', d: 'date', n: 'decimal', b: 'bool', e: 'enum', lot: 'lot' };

/** `"FKey:caption:type[!]"`, type one of t d n b e lot org mat cust supp stock unit curr; `!` = required. */
export function fields(...specs: string[]): FieldDef[] {
  return specs.map((spec) => {
    const [key, caption, rawType] = spec.split(':') as [string, string, string | undefined];
    const required = rawType?.endsWith('!') ?? false;
    const code = required ? rawType!.slice(0, -1) : (rawType ?? '');
    const type = SIMPLE_TYPES[code] ?? (REF_CODES[code] ? { ref: REF_CODES[code] } : undefined);
    if (!type || !caption) throw new Error(`Kingdee form registry: bad field spec "${spec}" (expected FKey:caption:type[!])`);
    return { key, caption, type, required };
  });
}

/** Case-insensitive field lookup in a list. */
export function findField(list: FieldDef[], key: string): FieldDef | undefined {
  const lower = key.toLowerCase();
  return list.find((field) => field.key.toLowerCase() === lower);
}
