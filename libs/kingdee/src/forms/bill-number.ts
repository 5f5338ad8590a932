import { ValidationError } from '@yecai/common';
import type { CanonicalJson } from './form-map-types';
import { billReader } from './readers';

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

export function sourceIdentity(document: CanonicalJson): SourceIdentity {
  const source = billReader.object(document, 'source');
  const modified = source.sourceModifiedAt;
  const modifiedAt = typeof modified === 'number' ? modified : typeof modified === 'string' ? Number(modified) : NaN;
  if (!Number.isFinite(modifiedAt)) throw new ValidationError('source.sourceModifiedAt: expected a timestamp in ms', 'source.sourceModifiedAt');
  const text = (key: string) => billReader.text(source[key], `source.${key}`);
  return {
    sourceSystem: text('sourceSystem'),
    account: text('account'),
    documentType: text('documentType'),
    sourceId: text('sourceId'),
    sourceModifiedAt: modifiedAt,
    contentHash: text('contentHash'),
  };
}

/** Renders the configured bill-number pattern; the result is validated so Kingdee never sees a bad number. */
export function renderBillNumber(pattern: string, document: CanonicalJson): string {
  const source = sourceIdentity(document);
  const values: Record<string, string> = {
    billNumber: billReader.text(document.billNumber, 'billNumber'),
    sourceId: source.sourceId,
    sourceSystem: source.sourceSystem,
    account: source.account,
    documentType: source.documentType,
  };
  const rendered = pattern.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new ValidationError(`billNumberPattern: unknown placeholder ${whole} (use {billNumber}, {sourceId}, {sourceSystem}, {account}, {documentType})`, 'billNumberPattern');
    return value;
  });
  if (rendered.length === 0 || rendered.length > BILL_NO_MAX || !BILL_NO_CHARS.test(rendered)) {
    throw new ValidationError(
      `billNumber: "${rendered}" from pattern "${pattern}" must be 1–${BILL_NO_MAX} characters of A-Z a-z 0-9 _ - . /`,
      'billNumber',
    );
  }
  return rendered;
}
