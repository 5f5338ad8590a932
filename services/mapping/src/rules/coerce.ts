/** A rule's value turned into its canonical field's type, or a bilingual park saying why it cannot be. */
import { Decimal as DecimalExport } from '@yecai/common';

/**
 * The class itself, read once: through the re-exports of @yecai/common every use of an imported binding is a getter
 * call in the CommonJS that tsx and jest run, on the hot path of every decimal.
 */
const Decimal = DecimalExport;
type Decimal = DecimalExport;
import type { CanonicalField } from './avro-fields';
import { park, type ParkSignal } from './outcomes';

export function readPath(input: unknown, path: string[]): unknown {
  let current = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

const ZERO_DATE = /^\s*0000-00-00(?:[ T]00:00(?::00)?)?\s*$/;
const DATE = /^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

function invalidValue(value: unknown, flow: string, fieldPath: string, label: string, what: string): ParkSignal {
  return park(
    flow,
    'INVALID_VALUE',
    `规则 ${flow} 字段 ${fieldPath}（${label}）的值 ${JSON.stringify(value)} 不是${what}`,
    `rule ${flow}: field ${fieldPath} (${label}) value ${JSON.stringify(value)} is not ${what}`,
    { field: fieldPath },
  );
}

/**
 * Turns a rule's value into the canonical field's type, or explains in both languages why it cannot. Runs for every
 * field of every document: no closures in here (tsx names each one it creates, which costs more than the coercion).
 */
export function coerce(value: unknown, target: CanonicalField, flow: string, fieldPath: string, label: string): unknown {
  // Sources such as WDT write an unset date as the zero date: it is no date, not an invalid one.
  if (target.type.kind === 'string' && target.type.date && typeof value === 'string' && ZERO_DATE.test(value)) value = null;
  // A list of records is filled by a lines section; a rule may still say, explicitly, that it has none (`expr: '[]'`).
  if (target.type.kind === 'records' && Array.isArray(value) && value.length === 0) return [];
  const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0 && target.type.kind !== 'stringArray');
  if (empty) {
    if (target.nullable) return null;
    if (target.type.kind === 'boolean') return false;
    if (target.type.kind === 'stringArray') return [];
    throw park(
      flow,
      'REQUIRED_VALUE_MISSING',
      `规则 ${flow} 字段 ${fieldPath}（${label}）没有取到值`,
      `rule ${flow}: field ${fieldPath} (${label}) is required but the rule gave no value`,
      { field: fieldPath },
    );
  }
  switch (target.type.kind) {
    case 'string': {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') throw invalidValue(value, flow, fieldPath, label, 'text');
      const text = String(value);
      if (!target.type.date) return text;
      const match = DATE.exec(text.trim());
      if (!match) throw invalidValue(value, flow, fieldPath, label, 'a date yyyy-MM-dd');
      return match[1];
    }
    case 'decimal': {
      let decimal: Decimal;
      try {
        // A number is read by its shortest decimal text, as decimal.js does with a number (and −0 is 0).
        decimal = value instanceof Decimal ? value : typeof value === 'number' ? new Decimal(value === 0 ? 0 : value) : new Decimal(String(value).trim());
      } catch {
        throw invalidValue(value, flow, fieldPath, label, 'a decimal number');
      }
      if (!decimal.isFinite()) throw invalidValue(value, flow, fieldPath, label, 'a decimal number');
      if (decimal.decimalPlaces() > target.type.scale) throw invalidValue(value, flow, fieldPath, label, `a decimal with at most ${target.type.scale} places`);
      return decimal;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw invalidValue(value, flow, fieldPath, label, 'true/false');
      return value;
    case 'int':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidValue(value, flow, fieldPath, label, 'an integer');
      return value;
    case 'enum':
      if (typeof value !== 'string' || !target.type.symbols.includes(value)) throw invalidValue(value, flow, fieldPath, label, `one of ${target.type.symbols.join('/')}`);
      return value;
    case 'stringArray':
      if (!Array.isArray(value)) return [String(value)];
      return value.map(String);
    default:
      throw invalidValue(value, flow, fieldPath, label, 'supported by the rule engine (records need a lines section)');
  }
}
