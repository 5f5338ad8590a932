import { readFileSync } from 'node:fs';
import { KingdeeClient } from '@yecai/kingdee';
import { MasterDataStore, formatKingdeePullReport, pullFromKingdee } from '@yecai/master-data';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors';
import { masterDataFileCommand, MASTER_DATA_FILE_ACTIONS, MASTER_DATA_FILE_USAGE } from './master-data-files';
import { acceptOnly, positiveIntFlag, stringFlag, withMongo, type OperatorFlags, type Print } from './operator-context';

export const MASTER_DATA_OPTIONS = {
  'kingdee-config': { type: 'string' },
  'page-size': { type: 'string' },
  by: { type: 'string' },
  reason: { type: 'string' },
} as const;

export const MASTER_DATA_USAGE = `${MASTER_DATA_FILE_USAGE}
yecai master-data pull-kingdee --kingdee-config <file.yaml|json> [--page-size 2000] [--mongodb-uri URI] [--db yecai]
  从金蝶拉取基础资料（组织、物料、客户、供应商、仓库）到主数据，报告新增/变更/已无，以及指向金蝶中不存在资料的映射
  pull Kingdee base data (orgs, materials, customers, suppliers, warehouses) into master data as kingdee/<number>;
  reports added / changed / gone, and mappings naming a Kingdee number Kingdee does not have.
  --kingdee-config: 金蝶连接 the Kingdee connection (the sink config's \`kingdee:\` section, or the whole sink config file)`;

/** The connection from a YAML/JSON file: either the connection itself or a sink config holding it under `kingdee`. */
export function kingdeeConnection(path: string): { config: unknown; source: string } {
  return connectionFile(path, 'kingdee');
}

/**
 * A finance system's connection from a file (YAML or JSON): the connection itself, or a sink's config holding it
 * under `kingdee:` / `yonyou:` (so an operator can pass the sink's own config file).
 */
export function connectionFile(path: string, system: 'kingdee' | 'yonyou'): { config: unknown; source: string } {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--${system}-config: 读不了 cannot read ${path}: ${(error as Error).message}`);
  }
  const inSinkConfig = parsed !== null && typeof parsed === 'object' && system in parsed;
  return inSinkConfig ? { config: (parsed as Record<string, unknown>)[system], source: `${path} ${system}` } : { config: parsed, source: path };
}

export async function masterDataCommand(args: string[], flags: OperatorFlags, print: Print = console.log): Promise<void> {
  const [action, ...rest] = args;
  if (action !== undefined && (MASTER_DATA_FILE_ACTIONS as readonly string[]).includes(action)) return masterDataFileCommand(action as (typeof MASTER_DATA_FILE_ACTIONS)[number], rest, flags, print);
  if (action !== 'pull-kingdee' || rest.length > 0) {
    throw new UsageError(`用法 usage: yecai master-data ${[...MASTER_DATA_FILE_ACTIONS, 'pull-kingdee'].join('|')} … — see \`yecai help\``);
  }
  acceptOnly('master-data pull-kingdee', flags, ['kingdee-config', 'page-size', 'mongodb-uri', 'db']);
  const path = stringFlag(flags, 'kingdee-config');
  if (!path) throw new UsageError('--kingdee-config: 需要金蝶连接文件 the Kingdee connection file is required');
  const pageSize = positiveIntFlag(flags, 'page-size', 2000);
  const { config, source } = kingdeeConnection(path);
  const client = KingdeeClient.fromConfig(config, {}, source);
  await withMongo(flags, async (db) => {
    const store = new MasterDataStore(db);
    await store.ensureIndexes();
    const report = await pullFromKingdee(client, store, pageSize);
    for (const line of formatKingdeePullReport(report)) print(line);
  });
}
