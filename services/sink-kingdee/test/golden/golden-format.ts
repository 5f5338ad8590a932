import { join } from 'node:path';
import { Decimal } from '@yecai/common';

/** One captured conversion: the canonical document, its flow settings and the Save models (or the error) it gave. */
export interface GoldenCase {
  name: string;
  documentType: string;
  flow: Record<string, unknown>;
  document: Record<string, unknown>;
  drafts?: unknown;
  error?: string;
}

export const GOLDEN_FILE = join(__dirname, 'save-models.json');

/** Models as JSON that keeps a decimal apart from text (`{"$decimal": "1.5"}`) and keeps key order. */
export function encodeModels(value: unknown): unknown {
  if (value instanceof Decimal) return { $decimal: value.toString() };
  if (Array.isArray(value)) return value.map(encodeModels);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, encodeModels(inner)]));
  return value;
}
