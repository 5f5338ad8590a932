/**
 * Renders the active mapping rules as the field-mapping document a finance lead signs:
 *   npx tsx services/mapping/src/spec-cli.ts [--rules <dir>] [--out <file>] [--check]
 * Default output docs/field-mapping.md; --check exits 1 when the document is out of date.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '@yecai/common';
import { RULES_DIR, loadRules } from './rules/load-rules';
import { loadFeeTypeTables } from './spec/fee-types';
import { renderFieldMapping } from './spec/render';

export const FIELD_MAPPING_DOC = join(__dirname, '..', '..', '..', 'docs', 'field-mapping.md');

function main(): void {
  const { values } = parseArgs({
    options: { rules: { type: 'string', default: RULES_DIR }, out: { type: 'string', default: FIELD_MAPPING_DOC }, check: { type: 'boolean', default: false } },
  });
  const text = renderFieldMapping(loadRules(values.rules), loadFeeTypeTables(values.rules));
  if (values.check) {
    const current = existsSync(values.out) ? readFileSync(values.out, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`字段映射文档已过期，请重新生成 (field mapping document is out of date): ${values.out}\n`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(values.out, text);
  process.stdout.write(`已生成 wrote ${values.out}\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`错误 error: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  }
}
