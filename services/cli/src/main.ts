import { parseArgs } from 'node:util';
import { StackError } from '@yecai/stack';
import { YecaiError } from '@yecai/common';
import { UsageError } from './errors';
import { STACK_USAGE, stackCommand } from './commands/stack';
import { RUN_OPTIONS, RUN_USAGE, runCommand } from './commands/run';
import { OPERATOR_OPTIONS } from './commands/operator-context';
import { REPLAY_USAGE, replayCommand } from './commands/replay';
import { TOPICS_USAGE, topicsCommand } from './commands/topics';
import { STATUS_USAGE, statusCommand } from './commands/status';
import { EXCEPTIONS_USAGE, parkedCommand, pendingCommand } from './commands/exceptions';
import { FILTERED_OPTIONS } from './commands/filtered';
import { MASTER_DATA_OPTIONS, MASTER_DATA_USAGE, masterDataCommand } from './commands/master-data';
import { NEW_OPTIONS, NEW_USAGE, newCommand } from './commands/new-source';
import { DEPLOY_USAGE, deployCommand } from './commands/deploy-sources';
import { RECONCILE_OPTIONS, RECONCILE_USAGE, reconcileCommand } from './commands/reconcile';

// Operators read the CLI's own lines; structured logs only when something is wrong (LOG_LEVEL overrides).
process.env.LOG_LEVEL ??= 'warn';

const USAGE = `用法 usage: yecai <command>

  run …               主流程 main job: 本机栈 + 模拟器 + 三个服务，同步一个营业日 stack, emulators and services sync a business day
  golive [--documents 1000] [--out report.xlsx]
                      上线压力测试：跑 N 张单据后对账，打印压力测试报告与业财一致性报告 go-live stress test (= run --reconcile)
  stack …             本机 Kafka / Schema Registry / MongoDB 管理 — local stack manager
  replay …            移动消费组位点以重新处理 move a consumer group to a time or offsets (--dry-run shows counts)
  topics …            按约定创建/查看主题 ensure, list, describe topics by the convention
  status              各消费组积压 lag per consumer group and topic
  parked              一级异常：搁置单据 level 1: parked documents (--filtered: 被规则过滤的单据 documents a filter left out)
  pending             二级异常：待重试单据 level 2: bills waiting for a retry
  master-data list|put|delete|import|export|history …
                      主数据维护，CSV / Excel 导入导出 master data: edit, import and export CSV / Excel (.xlsx)
  master-data pull-kingdee …
                      从金蝶拉取基础资料到主数据 pull Kingdee base data into master data
  reconcile --period YYYY-MM …
                      业财一致性报告：源单、sink 台账与金蝶逐级比对，Excel + JSON business–finance reconciliation report
  new source <name>   新数据源脚手架 scaffold a new source system (package, emulator, rules, deploy registry line)
  deploy generate     由数据源登记表生成部署文件 render the sources' deploy files from deploy/sources.yaml
  bench [--quick] [--only a,b] [--out f.md]
                      全部基准测试，汇总成一张表 every benchmark, one table (kafka, kingdee, jushuitan, mapping, sink, reconcile, pipeline)
  help                本帮助 this help

连接 endpoints: --brokers / KAFKA_BROKERS, --mongodb-uri / MONGODB_URI, --db / MONGODB_DB (default yecai),
  否则用本机栈 otherwise the local stack's (\`yecai stack env\`); --prefix / YECAI_TOPIC_PREFIX (default yecai.)

${RUN_USAGE}

${STACK_USAGE}

${REPLAY_USAGE}

${TOPICS_USAGE}

${STATUS_USAGE}

${EXCEPTIONS_USAGE}

${MASTER_DATA_USAGE}

${RECONCILE_USAGE}

${NEW_USAGE}

${DEPLOY_USAGE}`;

/** Explicit list of commands (no folder scanning): name → handler. */
const COMMANDS: Record<string, (positionals: string[], flags: Record<string, string | boolean | undefined>) => Promise<void>> = {
  stack: (positionals, flags) => stackCommand(positionals, { lines: flags.lines as string | undefined }),
  run: (_positionals, flags) => runCommand(flags),
  // The go-live test is a run that reconciles at the end; 1,000 documents as the WDT project's acceptance.
  golive: (_positionals, flags) => runCommand({ documents: '1000', ...flags, reconcile: true }),
  help: async () => console.log(USAGE),
  replay: (positionals, flags) => replayCommand(positionals, flags),
  topics: (positionals, flags) => topicsCommand(positionals, flags),
  status: (positionals, flags) => statusCommand(positionals, flags),
  parked: (positionals, flags) => parkedCommand(positionals, flags),
  pending: (positionals, flags) => pendingCommand(positionals, flags),
  'master-data': (positionals, flags) => masterDataCommand(positionals, flags),
  new: (positionals, flags) => newCommand(positionals, flags),
  deploy: (positionals, flags) => deployCommand(positionals, flags),
  reconcile: (positionals, flags) => reconcileCommand(positionals, flags),
};

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { lines: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...OPERATOR_OPTIONS, ...RUN_OPTIONS, ...MASTER_DATA_OPTIONS, ...FILTERED_OPTIONS, ...NEW_OPTIONS, ...RECONCILE_OPTIONS, check: { type: 'boolean' } },
    });
  } catch (error) {
    throw new UsageError(`参数错误 bad flag: ${(error as Error).message}`);
  }
  const [command, ...rest] = parsed.positionals;
  if (!command || parsed.values.help) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const handler = COMMANDS[command];
  if (!handler) throw new UsageError(`未知命令 unknown command "${command}" — see \`yecai help\``);
  await handler(rest, parsed.values);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(process.exitCode ?? code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`yecai: ${error.message}`);
      process.exit(2);
    }
    if (error instanceof StackError || error instanceof YecaiError) {
      console.error(`yecai: 错误 error: ${error.message}`);
      process.exit(1);
    }
    console.error('yecai: 意外错误 unexpected error:', error);
    process.exit(1);
  },
);
