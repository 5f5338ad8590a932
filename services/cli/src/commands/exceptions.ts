import { formatBeijingTime } from '@yecai/common';
import { ParkingStore, type ParkedStatus } from '@yecai/parking';
import { KINGDEE_COLLECTION_PREFIX } from '@yecai/sink-kingdee';
import { JST_COLLECTION_PREFIX } from '@yecai/sink-jushuitan';
import { LINGXING_COLLECTION_PREFIX } from '@yecai/sink-lingxing';
import { LEDGER_STATES, Ledger, type LedgerEntry, type LedgerState } from '@yecai/sink-kit';
import { WDT_COLLECTION_PREFIX } from '@yecai/sink-wangdiantong';
import { YONYOU_COLLECTION_PREFIX } from '@yecai/sink-yonyou';
import type { Db } from 'mongodb';
import { UsageError } from '../errors';
import { FILTERED_USAGE, filteredCommand } from './filtered';
import { acceptOnly, lastRunHint, positiveIntFlag, stringFlag, table, withMongo, type OperatorFlags, type Print } from './operator-context';

export const EXCEPTIONS_USAGE = `yecai parked [--stage mapping|sink-kingdee|sink-yonyou|…] [--status OPEN] [--code C] [--flow F] [--limit 50] [--mongodb-uri URI] [--db yecai]
  一级异常：被搁置的单据（映射阶段 + 各写入服务账本） level 1: parked documents (mapping stage and every sink's ledger)
yecai pending [--stage sink-kingdee|sink-yonyou|…] [--state REJECTED] [--form SAL_OUTSTOCK] [--limit 50] [--mongodb-uri URI] [--db yecai]
  二级异常：待重试的单据（各写入服务账本） level 2: documents waiting for a retry or a person (every sink's ledger);
  --state PENDING|IN_DOUBT 看在途写入 shows in-flight writes
  不给 --db 时读最近一次 \`yecai run\` 的库 without --db they read the last \`yecai run\`'s database (named on the first line)
${FILTERED_USAGE}`;

const PARKED_STATUSES: ParkedStatus[] = ['OPEN', 'REPUSHED', 'RESOLVED', 'SKIPPED', 'SUPERSEDED'];
const MONGO_FLAGS = ['mongodb-uri', 'db', 'limit'];

/** Every sink on the posting kit, by its stage name, with the prefix of its ledger collections (the sink owns it). */
const SINK_LEDGERS: Record<string, string> = {
  'sink-kingdee': KINGDEE_COLLECTION_PREFIX,
  'sink-yonyou': YONYOU_COLLECTION_PREFIX,
  'sink-wangdiantong': WDT_COLLECTION_PREFIX,
  'sink-jushuitan': JST_COLLECTION_PREFIX,
  'sink-lingxing': LINGXING_COLLECTION_PREFIX,
};

/**
 * The sink ledgers to read: the one `--stage` names (refused when it is no sink), else every one that exists here.
 * When none exists, says so (naming the Kingdee ledger when no stage was given, as it always has) and returns none.
 */
async function sinkLedgers(db: Db, stage: string | undefined, print: Print): Promise<Array<{ stage: string; ledger: Ledger }>> {
  if (stage !== undefined) {
    const prefix = SINK_LEDGERS[stage];
    if (prefix === undefined) throw new UsageError(`--stage: "${stage}" 不是写入服务 is not a sink (${Object.keys(SINK_LEDGERS).join(', ')})`);
    const ledger = new Ledger(db, prefix);
    if (await ledger.exists()) return [{ stage, ledger }];
    print(absent(db, ledger.revisions.collectionName, stage));
    return [];
  }
  const found: Array<{ stage: string; ledger: Ledger }> = [];
  for (const [name, prefix] of Object.entries(SINK_LEDGERS)) {
    const ledger = new Ledger(db, prefix);
    if (await ledger.exists()) found.push({ stage: name, ledger });
  }
  if (found.length === 0) print(absent(db, new Ledger(db, KINGDEE_COLLECTION_PREFIX).revisions.collectionName, 'sink-kingdee'));
  return found;
}

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
    const sinkStage = stage !== undefined && SINK_LEDGERS[stage] !== undefined;
    if (!sinkStage) {
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
    // Each sink keeps its level-1 cases in its ledger (state PARKED); they are OPEN until a person re-pushes or skips.
    if ((stage === undefined || sinkStage) && status === 'OPEN' && flow === undefined) {
      for (const { stage: sink, ledger } of await sinkLedgers(db, stage, print)) {
        const query = { state: 'PARKED' as const, problemCode: code };
        total += await ledger.count(query);
        const entries = await ledger.list(query, limit, 0, 'oldest');
        for (const entry of entries) {
          rows.push([formatBeijingTime(entry.updatedAt.getTime()), sink, `L${entry.problem?.level ?? 1}`, entry.problem?.code ?? '-', entry.formId, entry.documentKey, entry.problem?.message ?? '-', entry._id]);
        }
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
  acceptOnly('pending', flags, [...MONGO_FLAGS, 'state', 'form', 'stage']);
  if (args.length) throw new UsageError(`pending 不接受位置参数 takes no positional arguments: ${args.join(' ')}`);
  const state = (stringFlag(flags, 'state') ?? 'REJECTED').toUpperCase();
  if (!(LEDGER_STATES as readonly string[]).includes(state)) throw new UsageError(`--state: "${state}" 只能是 must be one of ${LEDGER_STATES.join(', ')}`);
  const limit = positiveIntFlag(flags, 'limit', 50);
  const formId = stringFlag(flags, 'form');
  const stage = stringFlag(flags, 'stage');

  await withMongo(flags, async (db) => {
    const ledgers = await sinkLedgers(db, stage, print);
    if (ledgers.length === 0) return;
    let total = 0;
    const entries: Array<{ sink: string; entry: Omit<LedgerEntry, 'canonical'> }> = [];
    for (const { stage: sink, ledger } of ledgers) {
      total += await ledger.count({ state: state as LedgerState, formId });
      for (const entry of await ledger.list({ state: state as LedgerState, formId }, limit, 0)) entries.push({ sink, entry });
    }
    if (entries.length === 0) {
      print(`账本中没有 ${state} 状态的单据 no ledger entries in state ${state}`);
      return;
    }
    for (const line of table([
      ['更新 updated (北京)', 'stage', 'form', 'billNo', 'attempts', '下次重试 next retry', 'code', '原因 reason', 'id'],
      ...entries.map(({ sink, entry }) => [
        formatBeijingTime(entry.updatedAt.getTime()),
        sink,
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
