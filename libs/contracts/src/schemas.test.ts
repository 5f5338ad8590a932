import { readFileSync } from 'node:fs';
import { Decimal } from '@yecai/common';
import { CANONICAL_DEFINITIONS } from './definitions';
import { renderSchema } from './generate';
import { sampleSalesOutstock } from './test-fixtures';
import { backwardIncompatibility, canonicalSchemaPath, canonicalSchemas, loadCanonicalSchema, releasedVersions } from './index';

describe('canonical schemas', () => {
  it('cover every flow F1–F16 the mapping emits, one topic each', () => {
    const flows = new Set(CANONICAL_DEFINITIONS.flatMap((definition) => definition.flows));
    for (const flow of ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10', 'F11', 'F12', 'F13', 'F15', 'F16']) {
      expect(flows).toContain(flow);
    }
    const schemas = canonicalSchemas();
    expect(new Set(schemas.map((schema) => schema.topic)).size).toBe(schemas.length);
    expect(schemas.find((schema) => schema.documentType === 'sales_outstock')?.subject).toMatch(/canonical\.sales_outstock-value$/);
  });

  it.each(CANONICAL_DEFINITIONS.map((definition) => definition.documentType))(
    '%s.avsc is generated from definitions.ts (run `npx tsx libs/contracts/src/cli.ts generate`)',
    (documentType) => {
      const definition = CANONICAL_DEFINITIONS.find((candidate) => candidate.documentType === documentType)!;
      expect(readFileSync(canonicalSchemaPath(documentType), 'utf8')).toBe(renderSchema(definition.schema));
    },
  );

  it.each(CANONICAL_DEFINITIONS.map((definition) => definition.documentType))(
    '%s is BACKWARD compatible with its latest released version',
    (documentType) => {
      const latest = releasedVersions(documentType).at(-1);
      expect(latest).toBeDefined();
      expect(backwardIncompatibility(loadCanonicalSchema(documentType).schema, latest!.schema)).toBeNull();
    },
  );

  it('every document carries its source identity and money as fixed-scale decimals', () => {
    for (const { schema } of canonicalSchemas()) {
      const fields = (schema.fields as { name: string }[]).map((field) => field.name);
      expect(fields.slice(0, 2)).toEqual(['source', 'mapping']);
    }
    const text = JSON.stringify(loadCanonicalSchema('sales_outstock').schema);
    expect(text).not.toMatch(/"(float|double)"/);
  });

  it('detects a breaking change: a new required field without default', () => {
    const current = loadCanonicalSchema('sales_return').schema;
    const broken = { ...current, fields: [...(current.fields as object[]), { name: 'mustHave', type: 'string' }] };
    expect(backwardIncompatibility(broken, current)).toMatch(/mustHave/);
    const compatible = { ...current, fields: [...(current.fields as object[]), { name: 'niceToHave', type: ['null', 'string'], default: null }] };
    expect(backwardIncompatibility(compatible, current)).toBeNull();
  });

  it('round-trips a sales out-stock with decimals and the source identity', () => {
    const { type } = loadCanonicalSchema('sales_outstock');
    const event = sampleSalesOutstock();
    const decoded = type.fromBuffer(type.toBuffer(event)) as typeof event;
    expect(decoded.lines[0]!.taxInclusivePrice!.toString()).toBe('59.5');
    expect(decoded.source.sourceId).toBe('20240001');
    expect(() => type.toBuffer({ ...event, lines: [{ ...event.lines[0], amount: new Decimal('1.005') }] })).toThrow(/1\.005/);
  });
});
