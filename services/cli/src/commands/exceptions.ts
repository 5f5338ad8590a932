import { formatBeijingTime } from '@yecai/common';
import { ParkingStore, type ParkedStatus } from '@yecai/parking';
import { LEDGER_STATES, Ledger, type LedgerState } from '@yecai/sink-kingdee';
import type { Db } from 'mongodb';
import { UsageError } from '../errors';
import { FILTERED_USAGE, filteredCommand } from './filtered';
import { acceptOnly, lastRunHint, positiveIntFlag, stringFlag, table, withMongo, type OperatorFlags, type Print } from './operator-context';

export const EXCEPTIONS_USAGE = `yecai parked [--stage mapping] [--status OPEN] [--code C] [--flow F] [--limit 50] [--mongodb-uri URI] [--db yecai]
  一级异常：被搁置的单据（映射阶段 + 金蝶账本） level 1: parked documents (mapping stage and the Kingdee ledger)
yecai pending [--state REJECTED] [--form SAL_OUTSTOCK] [--limit 50] [--mongodb-uri URI] [--db yecai]
  二级异常：待重试的单据（金蝶账本） level 2: bills waiting for a retry or a person (the Kingdee ledger);
  --state PENDING|IN_DOUBT 看在途写入 shows in-flight writes
  不给 --db 时读最近一次 \`yecai run\` 的库 without --db they read the last \`yecai run\`'s database (named on the first line)
${FILTERED_USAGE}`;

const PARKED_STATUSES: ParkedStatus[] = ['OPEN', 'REPUSHED', 'RESOLVED', 'SKIPPED', 'SUPERSEDED'];
const MONGO_FLAGS = ['mongodb-uri', 'db', 'limit'];

// The collections' owners name them; the CLI only reads, through their stores (libs/parking, @yecai/sink-kit's Ledger).
const parkedCollection = (db: Db) => new ParkingStore(db).collection.collectionName;

async function collectionExists(db: Db, name: string): Promise<boolean> {
  return (await db.listCollections({ name }, { nameOnly: true }).toArray()).length > 0;
}

function absent(db: Db, name: string, owner: string): string {
  return `集合不存在 collection ${db.databaseName}.${name} is absent — ${owner} 还没在这个库运行过 has not run against this database (--db?)${lastRunHint(db.databaseName)}`;
}

export async function parkedCommand(args: string[], flags: OperatorFlags, print: Print = console.log): Promise<void> {
  if (flags.filtered) return filteredCommand(args, flags, print);
  acceptOnly('parked', flags, [...MONGO_FLAGS, 'stage', 'status', 'code', 'flow']);
  if (args.length) throw new UsageError(`parked 不接受位置参数 takes no positional arguments: ${args.join(' ')}`);
  const status = (stringFlag(flags, 'status') ?? 'OPEN').toUpperCase();
  if (!PARKED_STATUSES.includes(status as ParkedStatus)) throw new UsageError(`--status: "${status}" 只能是 must be one of ${PARKED_STATUSES.join(', ')}`);
  const limit = positiveIntFlag(flags, 'limit', 50);
  const stage = stringFlag(flags, 'stage');
  const code = stringFlag(flags, 'code');
  const flow = stringFlag(flags, 'flow');

  await withMongo(flags, async (db) => {
    let total = 0;
    const rows: string[][] = [];
    const parkedName = parkedCollection(db);
    if (stage === undefined || stage !== 'sink-kingdee') {
      if (await collectionExists(db, parkedName)) {
        const store = new ParkingStore(db);
        total += await store.count({ stage, status: status as ParkedStatus, code });
        for (const doc of await store.list({ stage, status: status as ParkedStatus, code, flow, limit })) {
          rows.push([formatBeijingTime(doc.parkedAt.getTime()), doc.stage, `L${doc.level}`, doc.code, doc.flow ?? '-', doc.key ?? '-', `${doc.reasonZh} ${doc.reasonEn}`, doc._id]);
        }
      } else {
        print(absent(db, parkedName, 'mapping'));
      }
    }
    // The sink keeps its level-1 cases in its ledger (state PARKED); they are OPEN until a person re-pushes or skips.
    if ((stage === undefined || stage === 'sink-kingdee') && status === 'OPEN' && flow === undefined) {
      const ledger = new Ledger(db);
      if (await ledger.exists()) {
        const query = { state: 'PARKED' as const, problemCode: code };
        total += await ledger.count(query);
        const entries = await ledger.list(query, limit, 0, 'oldest');
        for (const entry of entries) {
          rows.push([formatBeijingTime(entry.updatedAt.getTime()), 'sink-kingdee', `L${entry.problem?.level ?? 1}`, entry.problem?.code ?? '-', entry.formId, entry.documentKey, entry.problem?.message ?? '-', entry._id]);
        }
      } else {
        print(absent(db, ledger.revisions.collectionName, 'sink-kingdee'));
      }
    }
    if (rows.length === 0) {
      print(`没有状态为 ${status} 的搁置单据 no parked documents with status ${status}`);
      return;
    }
    for (const line of table([['时间 at (北京)', 'stage', 'level', 'code', 'flow/form', 'key', '原因 reason', 'id'], ...rows])) print(line);
    print(`共 ${total} 条 total ${total}${total > rows.length ? `（显示 ${rows.length} showing; --limit）` : ''}`);
  }, print);
}

export async function pendingCommand(args: string[], flags: OperatorFlags, print: Print = console.log): Promise<void> {
  acceptOnly('pending', flags, [...MONGO_FLAGS, 'state', 'form']);
  if (args.length) throw new UsageError(`pending 不接受位置参数 takes no positional arguments: ${args.join(' ')}`);
  const state = (stringFlag(flags, 'state') ?? 'REJECTED').toUpperCase();
  if (!(LEDGER_STATES as readonly string[]).includes(state)) throw new UsageError(`--state: "${state}" 只能是 must be one of ${LEDGER_STATES.join(', ')}`);
  const limit = positiveIntFlag(flags, 'limit', 50);
  const formId = stringFlag(flags, 'form');

  await withMongo(flags, async (db) => {
    const ledger = new Ledger(db);
    if (!(await ledger.exists())) {
      print(absent(db, ledger.revisions.collectionName, 'sink-kingdee'));
      return;
    }
    const total = await ledger.count({ state: state as LedgerState, formId });
    const entries = await ledger.list({ state: state as LedgerState, formId }, limit, 0);
    if (entries.length === 0) {
      print(`账本中没有 ${state} 状态的单据 no ledger entries in state ${state}`);
      return;
    }
    for (const line of table([
      ['更新 updated (北京)', 'form', 'billNo', 'attempts', '下次重试 next retry', 'code', '原因 reason', 'id'],
      ...entries.map((entry) => [
        formatBeijingTime(entry.updatedAt.getTime()),
        entry.formId,
        entry.billNo,
        `${entry.attempts} (L2 ${entry.level2Retries})`,
        entry.nextRetryAt ? formatBeijingTime(entry.nextRetryAt.getTime()) : '等人处理 needs a person',
        entry.problem?.code ?? '-',
        entry.problem?.message ?? '-',
        entry._id,
      ]),
    ])) {
      print(line);
    }
    print(`共 ${total} 条 total ${total}${total > entries.length ? `（显示 ${entries.length} showing; --limit）` : ''}`);
  }, print);
}
