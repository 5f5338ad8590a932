import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseRows, validateRows } from '@yecai/master-data';
import { RULES_DIR } from '../rules/load-rules';

/** A source's shipped example fee-type table (`rules/<source>/fee-types.csv`, master data `feeType`). */
export interface FeeTypeTable {
  file: string;
  rows: { feeType: string; accountNumber: string; expenseItem?: string | undefined }[];
}

/** The fee-type tables shipped beside the rules; a row master data would refuse stops the load, naming it. */
export function loadFeeTypeTables(rulesDir = RULES_DIR): FeeTypeTable[] {
  return readdirSync(rulesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(rulesDir, entry.name, 'fee-types.csv')))
    .map((entry) => {
      const file = `${entry.name}/fee-types.csv`;
      const parsed = parseRows(readFileSync(join(rulesDir, file), 'utf8'), 'csv');
      const { valid, errors } = validateRows('feeType', parsed.rows);
      if (parsed.error || errors.length > 0) throw new Error(`费用类型表 fee-type table ${file}: ${JSON.stringify(parsed.error ?? errors[0])}`);
      return { file, rows: valid };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** The table as a section of the field-mapping document. */
export function feeTypeSection(table: FeeTypeTable): string[] {
  const source = table.file.split('/')[0]!;
  return [
    `<a id="${source}feetypes"></a>`,
    `## 费用类型 → 会计科目（${source} 示例表） Fee types → accounts`,
    '',
    `services/mapping/rules/${table.file}：主数据 \`feeType\` 的示例表（\`yecai master-data import feeType\` 导入，可编辑）；规则按费用类型查表取会计科目与费用项目，表中没有的费用类型挂起。`,
    '',
    '| 费用类型 | 会计科目 | 费用项目 |',
    '|---|---|---|',
    ...table.rows.map((row) => `| \`${row.feeType}\` | ${row.accountNumber} | ${row.expenseItem ?? ''} |`),
    '',
  ];
}
