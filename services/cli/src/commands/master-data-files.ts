import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { extname } from 'node:path';
import { ValidationError, formatBeijingTime } from '@yecai/common';
import {
  ENTITY_LABELS,
  ENTITY_NAMES,
  MasterDataStore,
  columnHeader,
  entityFields,
  importMasterData,
  isEntityName,
  normalizeColumns,
  validateRows,
  writeCsv,
  writeXlsx,
  type ChangeAudit,
  type EntityName,
  type ImportFormat,
  type RowError,
} from '@yecai/master-data';
import { UsageError } from '../errors';
import { acceptOnly, positiveIntFlag, stringFlag, table, withMongo, type OperatorFlags, type Print } from './operator-context';

export const MASTER_DATA_FILE_ACTIONS = ['list', 'put', 'delete', 'import', 'export', 'history'] as const;
type FileAction = (typeof MASTER_DATA_FILE_ACTIONS)[number];

export const MASTER_DATA_FILE_USAGE = `yecai master-data list [<entity>] [--limit 50]
  主数据：不给类型时列出各类型条数 master data: records of one entity, or each entity's count
yecai master-data put <entity> <field>=<value> … [--by NAME] [--reason TEXT]
  新增或修改一条 add or change one record, e.g. put warehouse sourceSystem=jushuitan sourceCode=WH-09 kingdeeStockNumber=CK09 stockOrg=100
yecai master-data delete <entity> <key> --reason TEXT [--by NAME]
  删除一条（key 为自然键，如 jushuitan/WH-09）delete one record by its natural key
yecai master-data import <entity> <file.csv|file.xlsx> [--dry-run] [--by NAME] [--reason TEXT]
  导入文件：每一行都先校验，有任何错误行就列出全部错误（行号、列名）且一行都不写
  import a file: every row is checked first; any bad row → every bad row is listed (row, column) and nothing is written
yecai master-data export <entity> <file.csv|file.xlsx|->
  导出为导入所读的同样列 export with the same columns import reads (round trip)
yecai master-data history [<entity> [<key>]] [--limit 50]
  谁在何时为何改了主数据 who changed master data, when and why
  类型 entities: ${ENTITY_NAMES.join(', ')}. 列 columns: 表头为“中文名 字段名”（导出所写，如 \`金蝶仓库编码 kingdeeStockNumber\`）
  或只写字段名 header cells are "中文 field" (what export writes) or the field name alone.
  --by 默认为操作系统用户 defaults to the OS user; 修改记录在 md_changes changes are recorded there`;

const ISSUE_ZH: Record<string, string> = {
  invalid_type: '类型不对',
  too_small: '不能为空',
  invalid_value: '不是允许的值',
  custom: '不符合规则',
  unknown_column: '未知列',
  duplicate_key: '同一文件中键重复',
};

function entityArg(value: string | undefined): EntityName {
  if (value === undefined) throw new UsageError(`需要主数据类型 an entity is required: ${ENTITY_NAMES.join(', ')}`);
  if (!isEntityName(value)) throw new UsageError(`未知的主数据类型 unknown entity "${value}" (可用 accepted: ${ENTITY_NAMES.join(', ')})`);
  return value;
}

function audit(flags: OperatorFlags): ChangeAudit {
  const reason = stringFlag(flags, 'reason');
  return { by: stringFlag(flags, 'by') ?? userInfo().username, via: 'cli', ...(reason ? { reason } : {}) };
}

function fileFormat(path: string): Exclude<ImportFormat, 'json'> {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.xlsx') return 'xlsx';
  throw new UsageError(`文件须为 .csv 或 .xlsx the file must be .csv or .xlsx: ${path}`);
}

/** Why, in Chinese, with zod's English message beside it. */
function issueText(error: Pick<RowError, 'code' | 'message'>): string {
  const zh = error.code === 'invalid_type' && /received undefined/.test(error.message) ? '必填，没有值' : (ISSUE_ZH[error.code ?? ''] ?? '有误');
  return `${zh} (${error.message})`;
}

/** One line per bad row: the sheet row (header = row 1, as Excel numbers it) and the column as its header reads. */
export function describeRowError(error: RowError): string {
  const why = issueText(error);
  if (error.field === '(file)' || error.field === '(root)') return `文件 file: ${error.message}`;
  if (error.row === 0) return `表头 header, 列 column「${error.field}」: ${why}`;
  const column = error.field === '(row)' ? '(整行 whole row)' : columnHeader(error.field);
  return `第 ${error.row + 1} 行 row ${error.row + 1}, 列 column「${column}」: ${why}`;
}

async function listCommand(store: MasterDataStore, entity: EntityName | undefined, limit: number, print: Print): Promise<void> {
  if (!entity) {
    const counts = await Promise.all(ENTITY_NAMES.map(async (name) => [name, `${ENTITY_LABELS[name].zh} ${ENTITY_LABELS[name].en}`, String(await store.collection(name).countDocuments())]));
    for (const line of table([['entity', '名称 name', '条数 records'], ...counts])) print(line);
    return;
  }
  const fields = entityFields(entity);
  const total = await store.collection(entity).countDocuments();
  const records = await store.list(entity, limit);
  if (records.length === 0) {
    print(`没有${ENTITY_LABELS[entity].zh}主数据 no ${ENTITY_LABELS[entity].en} records`);
    return;
  }
  const rows = records.map((record) => [
    String(record.key),
    ...fields.map((field) => (record[field] === undefined ? '' : String(record[field]))),
    formatBeijingTime((record.updatedAt as Date).getTime()),
  ]);
  for (const line of table([['key', ...fields.map(columnHeader), '更新 updated (北京)'], ...rows])) print(line);
  print(`共 ${total} 条 total ${total}${total > rows.length ? `（显示 ${rows.length} showing; --limit）` : ''}`);
}

function parseAssignments(entity: EntityName, assignments: string[]): Record<string, unknown> {
  if (assignments.length === 0) throw new UsageError(`put 需要字段 needs fields: <field>=<value> (字段 fields: ${entityFields(entity).join(', ')})`);
  const record: Record<string, string> = {};
  for (const assignment of assignments) {
    const at = assignment.indexOf('=');
    if (at <= 0) throw new UsageError(`"${assignment}" 应为 must be <field>=<value>`);
    const value = assignment.slice(at + 1).trim();
    if (value !== '') record[assignment.slice(0, at).trim()] = value;
  }
  return record;
}

export async function masterDataFileCommand(action: FileAction, args: string[], flags: OperatorFlags, print: Print = console.log): Promise<void> {
  const common = ['mongodb-uri', 'db'];
  const accepted: Record<FileAction, string[]> = {
    list: ['limit'],
    put: ['by', 'reason'],
    delete: ['by', 'reason'],
    import: ['by', 'reason', 'dry-run'],
    export: [],
    history: ['limit'],
  };
  acceptOnly(`master-data ${action}`, flags, [...common, ...accepted[action]]);
  const [first, ...rest] = args;
  const entity = action === 'list' || action === 'history' ? (first === undefined ? undefined : entityArg(first)) : entityArg(first);
  const limit = positiveIntFlag(flags, 'limit', 50);

  // Checked before connecting, so a bad call changes nothing.
  let record: Record<string, unknown> | undefined;
  if (action === 'put') {
    const { rows, errors: columnErrors } = normalizeColumns(entity!, [parseAssignments(entity!, rest)]);
    const { errors } = validateRows(entity!, rows);
    const first = [...columnErrors, ...errors][0];
    if (first) throw new UsageError(`${columnHeader(first.field)}: ${issueText(first)}`);
    record = rows[0];
  }
  if (action === 'delete' && (rest.length !== 1 || !stringFlag(flags, 'reason'))) {
    throw new UsageError('用法 usage: yecai master-data delete <entity> <key> --reason TEXT（删除须写明原因 a delete needs a reason）');
  }
  if ((action === 'import' || action === 'export') && rest.length !== 1) throw new UsageError(`用法 usage: yecai master-data ${action} <entity> <file.csv|file.xlsx>`);
  if ((action === 'list' && rest.length > 0) || (action === 'history' && rest.length > 1)) throw new UsageError(`多余的参数 unexpected arguments: ${rest.join(' ')}`);
  let content: Buffer | undefined;
  if (action === 'import') {
    try {
      content = readFileSync(rest[0]!);
    } catch (error) {
      throw new UsageError(`读不了文件 cannot read ${rest[0]}: ${(error as Error).message}`);
    }
  }
  const exportTo = action === 'export' ? rest[0]! : undefined;
  const exportFormat = exportTo === undefined || exportTo === '-' ? 'csv' : fileFormat(exportTo);

  await withMongo(flags, async (db) => {
    const store = new MasterDataStore(db);
    switch (action) {
      case 'list':
        return listCommand(store, entity, limit, print);
      case 'put': {
        await store.ensureIndexes();
        const result = await store.upsertValid(entity!, [record as never], audit(flags));
        const what = result.inserted ? '新增 inserted' : result.updated ? '已修改 updated' : '无变化 unchanged';
        print(`${ENTITY_LABELS[entity!].zh} ${entity} ${Object.values(result).some(Boolean) ? what : ''}`.trim());
        return;
      }
      case 'delete': {
        const removed = await store.remove(entity!, rest[0]!, audit(flags));
        if (!removed) throw new ValidationError(`${entity} ${rest[0]} 不存在 does not exist — 没有删除任何记录 nothing deleted`, 'key');
        print(`已删除 deleted ${entity} ${rest[0]}`);
        return;
      }
      case 'import': {
        const dryRun = flags['dry-run'] === true;
        if (!dryRun) await store.ensureIndexes();
        const report = await importMasterData(store, entity!, content!, fileFormat(rest[0]!), { dryRun, audit: audit(flags) });
        if (report.errors.length > 0) {
          for (const error of report.errors) print(describeRowError(error));
          throw new ValidationError(`导入被拒绝，一行都没有写 import refused, nothing written: ${report.errors.length} 处错误 error(s) in ${report.rows} 行 rows`, '(file)');
        }
        if (dryRun) print(`校验通过，未写入 all ${report.rows} rows valid, nothing written (--dry-run)`);
        else print(`已导入 imported ${report.rows} 行 rows: 新增 inserted ${report.inserted}, 修改 updated ${report.updated}, 无变化 unchanged ${report.unchanged}`);
        return;
      }
      case 'export': {
        const records = (await store.list(entity!, 1_000_000)) as Record<string, unknown>[];
        if (exportTo === '-') {
          process.stdout.write(writeCsv(entity!, records));
          return;
        }
        writeFileSync(exportTo!, exportFormat === 'xlsx' ? await writeXlsx(entity!, records) : writeCsv(entity!, records));
        print(`已导出 exported ${records.length} 条 records → ${exportTo}`);
        return;
      }
      case 'history': {
        const changes = await store.history(entity, rest[0], limit);
        if (changes.length === 0) {
          print('没有修改记录 no recorded changes');
          return;
        }
        const rows = changes.map((change) => [formatBeijingTime(change.at.getTime()), change.entity, change.key, change.action, change.by, change.via, change.reason ?? '-']);
        for (const line of table([['时间 at (北京)', 'entity', 'key', 'action', '操作人 by', 'via', '原因 reason'], ...rows])) print(line);
        return;
      }
    }
  });
}
