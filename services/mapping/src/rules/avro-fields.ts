import { DECIMAL_SCALES } from '@yecai/contracts';

/** What the engine needs to know about one canonical field to coerce and check a rule's value. */
export type FieldKind =
  | { kind: 'string'; date: boolean }
  | { kind: 'decimal'; scale: number }
  | { kind: 'boolean' }
  | { kind: 'int' }
  | { kind: 'long' }
  | { kind: 'enum'; symbols: string[] }
  | { kind: 'stringArray' }
  | { kind: 'records'; fields: CanonicalField[] }
  | { kind: 'record'; fields: CanonicalField[] };

export interface CanonicalField {
  name: string;
  nullable: boolean;
  doc: string;
  type: FieldKind;
}

type AvroNode = string | { type?: unknown; logicalType?: string; scale?: number; symbols?: string[]; items?: unknown; fields?: unknown[] } | unknown[];

/** Named types defined earlier in the same schema (Avro lets a later field refer to them by name). */
type NamedTypes = Map<string, FieldKind>;

function kindOf(node: AvroNode, doc: string, named: NamedTypes): { type: FieldKind; nullable: boolean } {
  if (Array.isArray(node)) {
    const others = node.filter((branch) => branch !== 'null');
    if (others.length !== 1) throw new Error(`unsupported union ${JSON.stringify(node)}`);
    return { type: kindOf(others[0] as AvroNode, doc, named).type, nullable: others.length < node.length };
  }
  if (typeof node === 'string') {
    const known = named.get(node) ?? named.get(node.split('.').at(-1)!);
    if (known) return { type: known, nullable: false };
    if (node === 'string') return { type: { kind: 'string', date: /yyyy-MM-dd/.test(doc) }, nullable: false };
    if (node === 'boolean') return { type: { kind: 'boolean' }, nullable: false };
    if (node === 'int') return { type: { kind: 'int' }, nullable: false };
    if (node === 'long') return { type: { kind: 'long' }, nullable: false };
    throw new Error(`unsupported Avro type ${node}`);
  }
  const record = node as { type?: unknown; logicalType?: string; scale?: number; symbols?: string[]; items?: unknown; fields?: unknown[]; name?: string };
  if (record.logicalType === 'decimal') return { type: { kind: 'decimal', scale: record.scale ?? DECIMAL_SCALES.amount }, nullable: false };
  if (record.type === 'long') return { type: { kind: 'long' }, nullable: false };
  if (record.type === 'enum') {
    const type: FieldKind = { kind: 'enum', symbols: record.symbols ?? [] };
    if (record.name) named.set(record.name, type);
    return { type, nullable: false };
  }
  if (record.type === 'record') {
    const type: FieldKind = { kind: 'record', fields: canonicalFields(record as { fields: unknown[] }, named) };
    if (record.name) named.set(record.name, type);
    return { type, nullable: false };
  }
  if (record.type === 'array') {
    const items = kindOf(record.items as AvroNode, doc, named).type;
    if (items.kind === 'string') return { type: { kind: 'stringArray' }, nullable: false };
    if (items.kind === 'record') return { type: { kind: 'records', fields: items.fields }, nullable: false };
    throw new Error(`unsupported array items ${JSON.stringify(record.items)}`);
  }
  return kindOf(record.type as AvroNode, doc, named);
}

/** The fields of an Avro record schema, in order, with what the engine needs to coerce values. */
export function canonicalFields(schema: { fields: unknown[] }, named: NamedTypes = new Map()): CanonicalField[] {
  return schema.fields.map((raw) => {
    const field = raw as { name: string; type: AvroNode; doc?: string };
    const doc = field.doc ?? '';
    const { type, nullable } = kindOf(field.type, doc, named);
    return { name: field.name, nullable, doc, type };
  });
}
