/**
 * npx tsx libs/contracts/src/cli.ts generate   — writes libs/contracts/avro/canonical/*.avsc and the TypeScript types
 *                                               libs/contracts/src/generated/*.ts from definitions.ts
 * npx tsx libs/contracts/src/cli.ts release    — snapshots every changed canonical schema as libs/contracts/released/<type>/v<N+1>.avsc
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CANONICAL_DEFINITIONS } from './definitions';
import { generate, renderSchema } from './generate';
import { RELEASED_DIR, backwardIncompatibility, loadCanonicalSchema, releasedVersions } from './index';

function release(): void {
  for (const definition of CANONICAL_DEFINITIONS) {
    const current = loadCanonicalSchema(definition.documentType).schema;
    const versions = releasedVersions(definition.documentType);
    const latest = versions.at(-1);
    if (latest && JSON.stringify(latest.schema) === JSON.stringify(current)) continue;
    if (latest) {
      const problem = backwardIncompatibility(current, latest.schema);
      if (problem) throw new Error(`${definition.documentType}: not BACKWARD compatible with v${latest.version}: ${problem}`);
    }
    const version = (latest?.version ?? 0) + 1;
    const dir = join(RELEASED_DIR, definition.documentType);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `v${version}.avsc`), renderSchema(current));
    console.log(`released ${definition.documentType} v${version}`);
  }
}

const command = process.argv[2];
if (command === 'generate') generate();
else if (command === 'release') release();
else {
  console.error('usage: cli.ts generate | release');
  process.exitCode = 2;
}
