/**
 * Load-time check of the form maps against the canonical Avro definitions and the form registry: every path exists
 * in the document type's schema and its type fits the transform, every key is a field of the form's Save model. A
 * bad map fails loudly, naming the form, the field and the path.
 */
import type { FormDeclaration } from './declaration';
import { findField, type FieldDef } from './fields';
import type { DocumentMap, FieldMap, FormMap, ValueField } from './form-map';
import { formDeclaration } from './registry';

type Avro = unknown;
interface AvroRecord {
  type: 'record';
  name: string;
  fields: { name: string; type: Avro }[];
}

export class FormMapError extends Error {
  constructor(formId: string, documentType: string, field: string, problem: string, problemZh: string) {
    super(`表单映射 form map ${formId} (${documentType}), 字段 field ${field}: ${problemZh} (${problem})`);
    this.name = 'FormMapError';
  }
}

/** The Avro type at `path` in `schema`, and whether null is allowed on the way; undefined when the path does not exist. */
function typeAt(schema: AvroRecord, path: string, named: Map<string, Avro>): { type: Avro; nullable: boolean } | undefined {
  let current: Avro = schema;
  let nullable = false;
  for (const segment of path.split('.')) {
    const list = segment.endsWith('[]');
    const name = list ? segment.slice(0, -2) : segment;
    const record = resolve(current, named);
    if (!isRecord(record)) return undefined;
    const field = record.fields.find((candidate) => candidate.name === name);
    if (!field) return undefined;
    let type = field.type;
    if (Array.isArray(type)) {
      nullable ||= type.includes('null');
      const others = type.filter((member) => member !== 'null');
      if (others.length !== 1) return undefined;
      type = others[0];
    }
    type = resolve(type, named);
    if (list) {
      if (!type || typeof type !== 'object' || (type as { type?: unknown }).type !== 'array') return undefined;
      type = resolve((type as { items: Avro }).items, named);
    }
    current = type;
  }
  return { type: current, nullable };
}

function resolve(type: Avro, named: Map<string, Avro>): Avro {
  return typeof type === 'string' && named.has(type) ? named.get(type) : type;
}

function isRecord(type: Avro): type is AvroRecord {
  return !!type && typeof type === 'object' && (type as { type?: unknown }).type === 'record';
}

function collectNamed(type: Avro, named: Map<string, Avro>): void {
  if (Array.isArray(type)) return type.forEach((member) => collectNamed(member, named));
  if (!type || typeof type !== 'object') return;
  const value = type as { type?: unknown; name?: unknown; fields?: { type: Avro }[]; items?: Avro };
  if ((value.type === 'record' || value.type === 'enum') && typeof value.name === 'string') named.set(value.name, type);
  value.fields?.forEach((field) => collectNamed(field.type, named));
  if (value.items !== undefined) collectNamed(value.items, named);
}

/** Kind of an Avro type as a transform sees it. */
function kindOf(type: Avro): 'string' | 'enum' | 'decimal' | 'boolean' | 'record' | 'array' | 'other' {
  if (type === 'string') return 'string';
  if (type === 'boolean') return 'boolean';
  if (type && typeof type === 'object') {
    const value = type as { type?: unknown; logicalType?: unknown };
    if (value.type === 'bytes' && value.logicalType === 'decimal') return 'decimal';
    if (value.type === 'enum') return 'enum';
    if (value.type === 'record') return 'record';
    if (value.type === 'array') return 'array';
  }
  return 'other';
}

const FITS: Record<ValueField['as'], string[]> = { text: ['string', 'enum'], ref: ['string'], decimal: ['decimal'], bool: ['boolean'] };

/** The Model fields a key may name at this level of the form. */
interface Level {
  fields: FieldDef[];
  objects: Map<string, FieldDef[]>;
  entries: Map<string, Level>;
  label: string;
}

function levelsOf(form: FormDeclaration): Level {
  if (form.kind === 'master') {
    const implicit: FieldDef[] = ['FNumber', 'FName', 'FCreateOrgId', 'FUseOrgId'].map((key) => ({ key, caption: key, type: 'text', required: false }));
    return { fields: [...implicit, ...form.fields], objects: new Map(form.subHeads.map((sub) => [sub.key.toLowerCase(), sub.fields])), entries: new Map(), label: form.formId };
  }
  const sub: Level | undefined = form.subEntry ? { fields: form.subEntry.fields, objects: new Map(), entries: new Map(), label: form.subEntry.key } : undefined;
  const entry: Level = { fields: form.entry.fields, objects: new Map(), entries: new Map(sub ? [[form.subEntry!.key.toLowerCase(), sub]] : []), label: form.entry.key };
  const entries = new Map([[form.entry.key.toLowerCase(), entry]]);
  if (form.secondEntry) entries.set(form.secondEntry.key.toLowerCase(), { fields: form.secondEntry.fields, objects: new Map(), entries: new Map(), label: form.secondEntry.key });
  return { fields: form.header, objects: new Map(form.subHeads.map((subHead) => [subHead.key.toLowerCase(), subHead.fields])), entries, label: form.formId };
}

/** Checks one document map; throws FormMapError at the first problem. */
export function checkDocumentMap(map: DocumentMap, schema: Record<string, unknown>): void {
  const named = new Map<string, Avro>();
  collectNamed(schema, named);
  const record = schema as unknown as AvroRecord;
  for (const formMap of map.forms) {
    const form = formDeclaration(formMap.formId);
    const fail = (field: string, problem: string, problemZh: string): never => {
      throw new FormMapError(formMap.formId, map.documentType, field, problem, problemZh);
    };
    if (!form) fail('-', 'the form is not in the Kingdee form registry (libs/kingdee/src/forms)', '金蝶表单注册表没有这个表单');
    if (formMap.documentType !== map.documentType) fail('-', `the map is for ${formMap.documentType}, listed under ${map.documentType}`, '映射的标准单据类型不一致');
    if (!form!.documentTypes.includes(map.documentType)) fail('-', `the registry does not list ${map.documentType} among the types posted to ${form!.formId}`, '注册表没有登记这个标准单据类型');
    if (form!.kind === 'bill') {
      const date = typeAt(record, 'date', named);
      if (!date || kindOf(date.type) !== 'string') fail('FDate', 'canonical path "date": no text field of that name', '标准字段 date 不存在或不是文本');
    }
    checkFields(formMap, formMap.fields, levelsOf(form!), [], '', record, named, fail);
  }
}

function checkFields(
  formMap: FormMap,
  fields: FieldMap[],
  level: Level,
  scopes: string[],
  at: string,
  schema: AvroRecord,
  named: Map<string, Avro>,
  fail: (field: string, problem: string, problemZh: string) => never,
  keys: FieldDef[] = level.fields,
): void {
  const checkPath = (where: string, path: string, inScopes = scopes) => {
    const listPart = path.includes('[]') ? path.slice(0, path.lastIndexOf('[]') + 2) : undefined;
    if (listPart !== undefined && !inScopes.includes(listPart)) fail(where, `canonical path "${path}" reads list ${listPart} outside its entry`, `标准字段路径 "${path}" 不在它的明细范围内`);
    const found = typeAt(schema, path, named);
    if (!found) fail(where, `canonical path "${path}" does not exist in ${formMap.documentType}`, `标准字段路径 "${path}" 在 ${formMap.documentType} 中不存在`);
    return found!;
  };
  for (const field of fields) {
    const where = `${at}${field.key}`;
    if (field.kind === 'object') {
      const subFields = level.objects.get(field.key.toLowerCase());
      if (!subFields) fail(where, `${field.key} is not a sub-header of ${level.label}`, `${field.key} 不是 ${level.label} 的子单据头`);
      checkFields(formMap, field.fields, level, scopes, `${where}.`, schema, named, fail, subFields);
      continue;
    }
    if (field.kind === 'entries') {
      const entry = level.entries.get(field.key.toLowerCase());
      if (!entry) fail(where, `${field.key} is not an entry of ${level.label}`, `${field.key} 不是 ${level.label} 的单据体`);
      checkPath(where, field.path);
      const list = `${field.path}[]`;
      const found2 = typeAt(schema, list, named);
      if (!found2 || !isRecord(found2.type)) fail(where, `canonical path "${field.path}" is not a list of records`, `标准字段路径 "${field.path}" 不是明细列表`);
      if (field.where) {
        const test = checkPath(`${where} where`, field.where.path, [...scopes, list]);
        if (!['string', 'enum'].includes(kindOf(test.type))) fail(`${where} where`, `canonical path "${field.where.path}" is not text`, `标准字段路径 "${field.where.path}" 不是文本`);
      }
      checkFields(formMap, field.fields, entry!, [...scopes, list], `${where}.`, schema, named, fail);
      continue;
    }
    if (!findField(keys, field.key)) fail(where, `${field.key} is not a field of ${level.label} in the form registry`, `${field.key} 不是注册表中 ${level.label} 的字段`);
    if (field.kind === 'constant') {
      if (field.when !== undefined) checkPath(where, field.when);
      continue;
    }
    for (const path of [field.path, ...(field.or === undefined ? [] : [field.or])]) {
      const found = checkPath(where, path);
      const kind = kindOf(found.type);
      if (!FITS[field.as].includes(kind)) fail(where, `canonical path "${path}" is ${kind}, a ${field.as} field needs ${FITS[field.as].join(' or ')}`, `标准字段 "${path}" 的类型 ${kind} 不适合 ${field.as} 转换`);
      const last = path === field.or || field.or === undefined;
      if (!field.optional && last && found.nullable) fail(where, `canonical path "${path}" may be null but the field is mapped as required (use the optional form or a fallback)`, `标准字段 "${path}" 可以为空，却按必填映射`);
      if (field.choose && kind === 'enum') {
        const symbols = (found.type as { symbols: string[] }).symbols;
        const unknown = Object.keys(field.choose.cases).filter((symbol) => !symbols.includes(symbol));
        if (unknown.length > 0) fail(where, `choose names ${unknown.join(', ')}, not symbols of ${path} (${symbols.join(', ')})`, `取值对照中的 ${unknown.join(', ')} 不是 ${path} 的枚举值`);
      }
    }
  }
}
