import { Decimal, formatBeijingTime, toDecimal } from '@yecai/common';
import { ZERO_DATE } from './protocol';

/**
 * Field values as stored, typed enough to render both editions: 企业版 turns every scalar into a string
 * ("2.0000", "0000-00-00 00:00:00"), 旗舰版 keeps numbers as numbers and some dates as ms-epoch numbers.
 */

/** A quantity or amount, kept as its 4-decimal text. */
export class Qty {
  constructor(readonly text: string) {}
}

/** A datetime; `at` null is WDT's zero date. */
export class At {
  constructor(readonly at: number | null) {}
}

export type FieldValue = string | number | boolean | Qty | At | Fields[];
export interface Fields {
  [key: string]: FieldValue;
}

const NO_EPOCH_FIELDS: ReadonlySet<string> = new Set();

export type QybRecord = { [key: string]: string | QybRecord[] };
export type QjbRecord = { [key: string]: string | number | boolean | QjbRecord[] };

export function renderQyb(fields: Fields): QybRecord {
  const out: QybRecord = {};
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value)) out[key] = value.map((item) => renderQyb(item));
    else if (value instanceof Qty) out[key] = value.text;
    else if (value instanceof At) out[key] = value.at === null ? ZERO_DATE : formatBeijingTime(value.at);
    else if (typeof value === 'boolean') out[key] = value ? '1' : '0';
    else out[key] = String(value);
  }
  return out;
}

/** 旗舰版: numbers stay numbers; the header datetimes named in `epochFields` become ms epochs (lines keep text). */
export function renderQjb(fields: Fields, epochFields: ReadonlySet<string> = NO_EPOCH_FIELDS): QjbRecord {
  const out: QjbRecord = {};
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value)) out[key] = value.map((item) => renderQjb(item));
    else if (value instanceof Qty) out[key] = Number(value.text);
    else if (value instanceof At) {
      if (epochFields.has(key)) out[key] = value.at ?? 0;
      else out[key] = value.at === null ? ZERO_DATE : formatBeijingTime(value.at);
    } else out[key] = value;
  }
  return out;
}

/** A decimal rendered with WDT's four places. */
export function qty(value: string | number | Decimal): Qty {
  return new Qty(toDecimal(value, 'quantity').toFixed(4));
}

export function at(epochMs: number | null | undefined): At {
  return new At(epochMs ?? null);
}
