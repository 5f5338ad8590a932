import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CANONICAL_DEFINITIONS } from './definitions';
import { CANONICAL_DIR, canonicalSchemaPath } from './index';
import { renderCanonicalTypes } from './typegen';

/** The generated TypeScript types of the canonical events (committed; see typegen.ts). */
export const GENERATED_DIR = join(__dirname, 'generated');

export function renderSchema(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** The generated type files, file name → content (already as prettier formats them). */
export function generatedTypeFiles(): Map<string, string> {
  return renderCanonicalTypes(CANONICAL_DEFINITIONS);
}

/** Writes avro/canonical/*.avsc and src/generated/*.ts from definitions.ts (stale generated files are removed). */
export function generate(): void {
  mkdirSync(CANONICAL_DIR, { recursive: true });
  for (const definition of CANONICAL_DEFINITIONS) {
    writeFileSync(canonicalSchemaPath(definition.documentType), renderSchema(definition.schema));
  }
  const files = generatedTypeFiles();
  mkdirSync(GENERATED_DIR, { recursive: true });
  for (const stale of readdirSync(GENERATED_DIR).filter((name) => !files.has(name))) rmSync(join(GENERATED_DIR, stale));
  for (const [name, text] of files) writeFileSync(join(GENERATED_DIR, name), text);
  console.log(
    `wrote ${CANONICAL_DEFINITIONS.length} schemas to ${CANONICAL_DIR} and ${files.size} type files to ${GENERATED_DIR}`,
  );
}
