/** Runs a form map: one canonical document → the Save model(s) of its form(s). */
import { ValidationError } from '@yecai/common';
import { renderBillNumber } from './bill-number';
import type { FormDeclaration } from './declaration';
import type { DocumentMap, EntryField, FieldMap, FormMap, ValueField } from './form-map';
import type { CanonicalJson, ConvertOptions, SaveDraft } from './form-map-types';
import { billReader, masterReader, type Reader } from './readers';
import { formDeclaration } from './registry';

/** The list elements being mapped: `lines[]` → lines.3 (the path prefix, the element, its indexed name). */
interface Scope {
  prefix: string;
  item: CanonicalJson;
  name: string;
}

interface Context {
  document: CanonicalJson;
  options: ConvertOptions;
  reader: Reader;
  scopes: Scope[];
}

/** `path` read in the innermost list element it names, else in the document; with the indexed name for errors. */
function locate(context: Context, path: string): { value: unknown; name: string } {
  for (let i = context.scopes.length - 1; i >= 0; i -= 1) {
    const scope = context.scopes[i]!;
    if (path.startsWith(`${scope.prefix}.`)) {
      const rest = path.slice(scope.prefix.length + 1);
      return { value: walk(scope.item, rest), name: `${scope.name}.${rest}` };
    }
  }
  return { value: walk(context.document, path), name: path };
}

function walk(from: CanonicalJson, path: string): unknown {
  let current: unknown = from;
  for (const segment of path.split('.')) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as CanonicalJson)[segment];
  }
  return current;
}

function readValue(context: Context, field: ValueField, path = field.path): unknown {
  const { reader } = context;
  const { value, name } = locate(context, path);
  if (field.or !== undefined && path === field.path) {
    const present = field.as === 'decimal' ? value !== undefined && value !== null : reader.optText(value) !== undefined;
    if (!present) return readValue(context, field, field.or);
  }
  let read: unknown;
  switch (field.as) {
    case 'text':
    case 'ref':
      read = field.optional ? reader.optText(value) : reader.text(value, name);
      break;
    case 'decimal':
      read = field.optional ? reader.optDecimal(value, name) : reader.decimal(value, name);
      break;
    case 'bool':
      read = field.optional && (value === undefined || value === null) ? undefined : reader.bool(value, name);
      break;
  }
  if (read === undefined) return undefined;
  if (field.choose) {
    const chosen = field.choose.cases[String(read)] ?? field.choose.otherwise;
    if (chosen === undefined) throw new ValidationError(`${name}: "${String(read)}" is not one of ${Object.keys(field.choose.cases).join(', ')}`, name);
    return chosen;
  }
  return field.as === 'ref' ? { FNumber: read } : read;
}

/** The Model object of `fields`; undefined when an entry list with `where` keeps no line (the bill is left out). */
function build(context: Context, fields: FieldMap[]): Record<string, unknown> | undefined {
  const model: Record<string, unknown> = {};
  for (const field of fields) {
    switch (field.kind) {
      case 'value': {
        const value = readValue(context, field);
        if (value !== undefined) model[field.customKey ? context.options.customFields[field.customKey] : field.key] = value;
        break;
      }
      case 'constant':
        if (field.when === undefined || context.reader.optText(locate(context, field.when).value) !== undefined) model[field.key] = field.value;
        break;
      case 'object':
        model[field.key] = build(context, field.fields);
        break;
      case 'entries': {
        const rows = entryRows(context, field);
        if (rows.length === 0) return undefined;
        model[field.key] = rows;
        break;
      }
    }
  }
  return model;
}

function entryRows(context: Context, field: EntryField): Record<string, unknown>[] {
  const { value, name } = locate(context, field.path);
  const prefix = `${field.path}[]`;
  const items = context.reader.list(value, name).map((item, i) => ({ prefix, item, name: `${name}.${i}` }));
  const kept = field.where
    ? items.filter((scope) => {
        const { value: test, name: testName } = locate({ ...context, scopes: [...context.scopes, scope] }, field.where!.path);
        return context.reader.text(test, testName) === field.where!.equals;
      })
    : items;
  return kept.map((scope) => build({ ...context, scopes: [...context.scopes, scope] }, field.fields) ?? {});
}

function convertForm(form: FormDeclaration, map: FormMap, document: CanonicalJson, options: ConvertOptions, billNo: string | undefined): SaveDraft | undefined {
  if (form.kind === 'master') {
    const model = build({ document, options, reader: masterReader, scopes: [] }, map.fields)!;
    return { formId: form.formId, billNo: String(model[form.numberField]), model };
  }
  const head = {
    [form.pkField]: 0,
    FBillTypeID: { FNumber: options.billType ?? form.defaultBillType },
    [form.numberField]: billNo,
    FDate: billReader.text(document.date, 'date'),
  };
  const body = build({ document, options, reader: billReader, scopes: [] }, map.fields);
  if (body === undefined) {
    if (map.omitWhenNoLines) return undefined;
    throw new ValidationError('lines: a bill needs at least one line', 'lines');
  }
  return { formId: form.formId, billNo: billNo!, model: { ...head, ...body } };
}

/** The Save model(s) a canonical document becomes under its document map. Throws ValidationError naming the field. */
export function runDocumentMap(map: DocumentMap, document: CanonicalJson, options: ConvertOptions): SaveDraft[] {
  const forms = map.forms.map((formMap) => ({ formMap, form: formDeclaration(formMap.formId)! }));
  const billNo = forms.some(({ form }) => form.kind === 'bill') ? renderBillNumber(options.billNumberPattern, document) : undefined;
  const drafts = forms.flatMap(({ form, formMap }) => convertForm(form, formMap, document, options, billNo) ?? []);
  map.check?.(drafts, document);
  return drafts;
}
