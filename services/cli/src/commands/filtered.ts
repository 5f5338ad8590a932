import { formatBeijingTime } from '@yecai/common';
import { FilteredStore } from '@yecai/parking';
import { UsageError } from '../errors';
import { acceptOnly, positiveIntFlag, stringFlag, table, withMongo, type OperatorFlags, type Print } from './operator-context';

export const FILTERED_OPTIONS = { filtered: { type: 'boolean' }, key: { type: 'string' } } as const;

export const FILTERED_USAGE = `yecai parked --filtered [--flow F] [--key <document key>] [--limit 50] [--mongodb-uri URI] [--db yecai]
  被规则过滤（不同步、不算异常）的单据，逐张：哪个过滤条件、规则版本、单据版本、时间（最新在前）
  documents a rule's filter left out (not synced, not an exception), one by one: filter, rule version, document
  version, time (newest first)`;

/** `yecai parked --filtered`: the mapping's filtered-document records (libs/parking FilteredStore). */
export async function filteredCommand(args: string[], flags: OperatorFlags, print: Print = console.log): Promise<void> {
  acceptOnly('parked --filtered', flags, ['filtered', 'flow', 'key', 'limit', 'mongodb-uri', 'db']);
  if (args.length) throw new UsageError(`parked 不接受位置参数 takes no positional arguments: ${args.join(' ')}`);
  const limit = positiveIntFlag(flags, 'limit', 50);
  const query = { flow: stringFlag(flags, 'flow'), key: stringFlag(flags, 'key') };

  await withMongo(flags, async (db) => {
    const store = new FilteredStore(db);
    const total = await store.count(query);
    if (total === 0) {
      print('没有被过滤的单据记录 no filtered documents recorded');
      return;
    }
    const rows = (await store.list({ ...query, limit })).map((document) => [
      formatBeijingTime(document.filteredAt.getTime()),
      document.flow,
      document.key,
      `${formatBeijingTime(document.sourceModifiedAt)} #${document.contentHash.slice(0, 8)}`,
      document.ruleVersion,
      document.filter,
      document.description,
    ]);
    for (const line of table([['过滤时间 at (北京)', 'flow', 'key', '单据版本 version (修改时间 #hash)', '规则 rule', '过滤条件 filter', '说明 description'], ...rows])) print(line);
    print(`共 ${total} 条 total ${total}${total > rows.length ? `（显示 ${rows.length} showing; --limit）` : ''}`);
    print('每条是单据的一个版本；同一单据之后的版本可能已同步 — each record is one version; a later version of the same document may have been synced');
  });
}
