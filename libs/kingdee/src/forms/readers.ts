/**
 * Reading canonical values for a Save model; every refusal is a ValidationError naming the field (with line
 * indexes: `lines.0.quantity`). Bills and base data word their errors as the sink always has (parked reasons and
 * tests quote them).
 */
import { type Decimal, ValidationError, toDecimal } from '@yecai/common';
import type { CanonicalJson } from './form-map-types';

export interface Reader {
  /** Required non-blank text. */
  text(value: unknown, name: string): string;
  /** Text, or undefined when absent/null/empty. */
  optText(value: unknown): string | undefined;
  bool(value: unknown, name: string): boolean;
  decimal(value: unknown, name: string): Decimal;
  optDecimal(value: unknown, name: string): Decimal | undefined;
  object(value: CanonicalJson, key: string): CanonicalJson;
  /** A non-empty list of objects. */
  list(value: unknown, name: string): CanonicalJson[];
}

const common = {
  decimal: (value: unknown, name: string) => toDecimal(value, name),
  optDecimal: (value: unknown, name: string) => (value === undefined || value === null ? undefined : toDecimal(value, name)),
  object(value: CanonicalJson, key: string): CanonicalJson {
    const found = value[key];
    if (!found || typeof found !== 'object' || Array.isArray(found)) throw new ValidationError(`${key}: expected an object`, key);
    return found as CanonicalJson;
  },
  list(value: unknown, name: string): CanonicalJson[] {
    if (!Array.isArray(value)) throw new ValidationError(`${name}: expected a list`, name);
    if (value.length === 0) throw new ValidationError(`${name}: a bill needs at least one line`, name);
    return value.map((item, i) => {
      if (!item || typeof item !== 'object') throw new ValidationError(`${name}.${i}: expected an object`, `${name}.${i}`);
      return item as CanonicalJson;
    });
  },
};

export const billReader: Reader = {
  ...common,
  text(value, name) {
    if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${name}: required text is missing`, name);
    return value;
  },
  optText: (value) => (typeof value === 'string' && value !== '' ? value : undefined),
  bool(value, name) {
    if (typeof value !== 'boolean') throw new ValidationError(`${name}: expected true or false`, name);
    return value;
  },
};

export const masterReader: Reader = {
  ...common,
  text(value, name) {
    if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`canonical ${name}: required, got ${JSON.stringify(value)}`, name);
    return value;
  },
  optText: (value) => (typeof value === 'string' && value.trim() !== '' ? value : undefined),
  bool(value, name) {
    if (typeof value !== 'boolean') throw new ValidationError(`canonical ${name}: must be true or false, got ${JSON.stringify(value)}`, name);
    return value;
  },
};
