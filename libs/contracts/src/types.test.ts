import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DIR, generatedTypeFiles } from './generate';
import { renderCanonicalTypes } from './typegen';
import type { CanonicalDefinition } from './definitions';

describe('TypeScript types generated from the canonical definitions', () => {
  it('src/generated/ is what `npx tsx libs/contracts/src/cli.ts generate` writes from definitions.ts today', () => {
    const expected = generatedTypeFiles();
    expect(readdirSync(GENERATED_DIR).sort()).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected)
      expect(`${name}:\n${readFileSync(join(GENERATED_DIR, name), 'utf8')}`).toBe(`${name}:\n${text}`);
  });

  const decimal = { type: 'bytes', logicalType: 'decimal', precision: 24, scale: 2 };
  const trace = {
    type: 'record',
    name: 'Trace',
    fields: [{ name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }],
  };
  const definition = (documentType: string, name: string, fields: unknown[]): CanonicalDefinition => ({
    documentType,
    flows: [],
    kingdeeForms: [],
    schema: { type: 'record', name, namespace: 'test', fields: [{ name: 'trace', type: trace }, ...fields] },
  });

  it('types decimals as D (text by default), timestamps as numbers, optional fields as T | null, enums as string unions', () => {
    const files = renderCanonicalTypes([
      definition('invoice', 'Invoice', [
        { name: 'total', type: decimal, doc: 'Total.' },
        { name: 'discount', type: ['null', decimal], default: null },
        { name: 'kind', type: { type: 'enum', name: 'InvoiceKind', symbols: ['NORMAL', 'CREDIT'] } },
        { name: 'tags', type: { type: 'array', items: 'string' } },
      ]),
      definition('credit', 'Credit', [{ name: 'amount', type: decimal }]),
    ]);
    const invoice = files.get('invoice.ts')!;
    expect(invoice).toContain('export type Invoice<D = string> = {');
    expect(invoice).toContain('/** Total. Decimal at scale 2 (decoded: its exact text). */\n  total: D;');
    expect(invoice).toContain('discount: D | null;');
    expect(invoice).toContain("export type InvoiceKind = 'NORMAL' | 'CREDIT';");
    expect(invoice).toContain('tags: string[];');
    // A record both documents carry is declared once, in shared.ts, and imported.
    expect(invoice).toContain("import type { Trace } from './shared';");
    expect(files.get('shared.ts')).toContain(
      'export type Trace = {\n  /** Epoch milliseconds. */\n  at: number;\n};',
    );
    expect(files.get('index.ts')).toContain(
      'export interface CanonicalEvents<D = string> {\n  invoice: Invoice<D>;\n  credit: Credit<D>;\n}',
    );
  });

  it('refuses one record name with two shapes, naming the record and the document', () => {
    const other = { ...trace, fields: [{ name: 'at', type: 'string' }] };
    expect(() =>
      renderCanonicalTypes([
        definition('invoice', 'Invoice', []),
        {
          ...definition('credit', 'Credit', []),
          schema: { type: 'record', name: 'Credit', fields: [{ name: 'trace', type: other }] },
        },
      ]),
    ).toThrow(/Trace .*credit/);
  });
});
