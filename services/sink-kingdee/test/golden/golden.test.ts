import { readFileSync } from 'node:fs';
import { FlowConfigSchema } from '../../src/config';
import { draftsOf, type SinkDocumentType } from '../../src/master-data';
import { GOLDEN_FILE, encodeModels, type GoldenCase } from './golden-format';

/**
 * The declarative form maps produce exactly the Save models the hand-written converter did (captured by capture.ts
 * before the switch was replaced): same keys in the same order, decimals as decimals, and the same refusals.
 */
const cases = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as GoldenCase[];

describe('form maps against the captured Save models of the old converter', () => {
  it('covers every bill and master-data type the sink posts, and a demo-world day', () => {
    expect(new Set(cases.map((entry) => entry.documentType))).toEqual(
      new Set(['sales_outstock', 'sales_return', 'purchase_instock', 'purchase_return', 'other_instock', 'other_outstock', 'transfer', 'stock_count', 'assembly', 'material', 'customer', 'supplier', 'warehouse']),
    );
    expect(cases.filter((entry) => entry.name.startsWith('demo world')).length).toBeGreaterThan(20);
  });

  it.each(cases.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
    const flow = FlowConfigSchema.parse(entry.flow);
    const run = () => encodeModels(draftsOf(entry.documentType as SinkDocumentType, entry.document, flow));
    if (entry.error !== undefined) {
      expect(run).toThrow(entry.error);
      return;
    }
    // JSON text, not toEqual: key order and decimal-vs-text are part of "the same model".
    expect(JSON.stringify(run())).toBe(JSON.stringify(entry.drafts));
  });
});
