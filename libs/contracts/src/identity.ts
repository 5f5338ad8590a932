/**
 * What every reader of a canonical event needs, whatever it becomes on a target: who and which version it is
 * (`source`), the order of two versions of one document, and the deterministic key (bill number) a pattern renders
 * from it. Imports nothing but @yecai/common, so the Kingdee form maps (and the emulator) use it without Kafka:
 * `@yecai/contracts/src/identity`.
 */
import { ValidationError } from '@yecai/common';

/** A decoded canonical event as plain data (decimals as exact strings, timestamps in ms). */
export type CanonicalJson = Record<string, unknown>;

/** Canonical source identity (every canonical event carries it). */
export interface SourceIdentity {
  sourceSystem: string;
  account: string;
  documentType: string;
  sourceId: string;
  sourceModifiedAt: number;
  contentHash: string;
}

const BILL_NO_MAX = 80;
const BILL_NO_CHARS = /^[A-Za-z0-9_\-./]+$/;

/** Renders the configured bill-number pattern; the result is validated so the target never sees a bad number. */
export function renderBillNumber(pattern: string, document: CanonicalJson): string {
  const source = sourceIdentity(document);
  // Read only what the pattern names: a flow keyed by {sourceId} needs no billNumber field.
  const values: Record<string, () => string> = {
    billNumber: () => text(document, 'billNumber'),
    sourceId: () => source.sourceId,
    sourceSystem: () => source.sourceSystem,
    account: () => source.account,
    documentType: () => source.documentType,
  };
  const rendered = pattern.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new ValidationError(`billNumberPattern: unknown placeholder ${whole} (use {billNumber}, {sourceId}, {sourceSystem}, {account}, {documentType})`, 'billNumberPattern');
    return value();
  });
  if (rendered.length === 0 || rendered.length > BILL_NO_MAX || !BILL_NO_CHARS.test(rendered)) {
    throw new ValidationError(
      `billNumber: "${rendered}" from pattern "${pattern}" must be 1–${BILL_NO_MAX} characters of A-Z a-z 0-9 _ - . /`,
      'billNumber',
    );
  }
  return rendered;
}

/**
 * Version order of one source document: a version modified before the one already held is stale (ignored); the
 * same modified time with other content counts as newer (the source changed it within one clock tick). The
 * sink-kit's posting engine and aggregation decide with this one rule.
 */
export function isStaleVersion(modifiedAt: number, heldModifiedAt: number): boolean {
  return modifiedAt < heldModifiedAt;
}

export function sourceIdentity(document: CanonicalJson): SourceIdentity {
  const source = document.source;
  if (typeof source !== 'object' || source === null || Array.isArray(source)) throw new ValidationError('source: expected an object', 'source');
  const fields = source as CanonicalJson;
  const modified = fields.sourceModifiedAt;
  const modifiedAt = typeof modified === 'number' ? modified : typeof modified === 'string' ? Number(modified) : NaN;
  if (!Number.isFinite(modifiedAt)) throw new ValidationError('source.sourceModifiedAt: expected a timestamp in ms', 'source.sourceModifiedAt');
  return {
    sourceSystem: text(fields, 'sourceSystem', 'source.'),
    account: text(fields, 'account', 'source.'),
    documentType: text(fields, 'documentType', 'source.'),
    sourceId: text(fields, 'sourceId', 'source.'),
    sourceModifiedAt: modifiedAt,
    contentHash: text(fields, 'contentHash', 'source.'),
  };
}

/** The key every lock, aggregation chain and trace uses for one source document (all its versions). */
export function documentKeyOf(document: CanonicalJson): string {
  const source = sourceIdentity(document);
  return `${source.sourceSystem}/${source.account}/${source.documentType}/${source.sourceId}`;
}

function text(value: CanonicalJson, key: string, at = ''): string {
  const found = value[key];
  if (typeof found !== 'string' || found.trim() === '') throw new ValidationError(`${at}${key}: required text is missing`, `${at}${key}`);
  return found;
}
