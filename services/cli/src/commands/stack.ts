import { existsSync, readFileSync } from 'node:fs';
import { COMPONENTS, LocalStack, cacheDir, defaultStateDir, repoRoot, type ComponentName } from '@yecai/stack';
import { UsageError } from '../errors';

export function operatorStack(): LocalStack {
  const root = repoRoot();
  return new LocalStack({
    root,
    cacheDir: cacheDir(root),
    stateDir: defaultStateDir(root),
    // Stable defaults for a person's machine; YECAI_*_PORT overrides each.
    ports: {},
    report: (line) => console.log(`  ${line}`),
  });
}

export const STACK_USAGE = `yecai stack <up|down|reset|status|logs|env|install>
  up        安装（首次）并启动 Kafka、Schema Registry、MongoDB (FerretDB) — install on first use, start, wait until ready
  down      停止本机栈的全部进程 — stop every process the stack started
  reset     停止并清空本机栈的数据（主题、注册表、数据库）— stop and delete the stack's data (topics, schemas, databases)
  status    各组件状态与地址 — state, pid and endpoint of each component
  logs [kafka|registry|mongo] [--lines N]   最近日志 — last log lines
  env       打印环境变量 (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI) — for \`eval $(yecai stack env)\`
  install   只下载/编译，不启动 — download and build only`;

export async function stackCommand(args: string[], flags: { lines?: string }): Promise<void> {
  const [action, component] = args;
  const stack = operatorStack();
  switch (action) {
    case 'up': {
      const started = Date.now();
      console.log('启动本机栈 starting the local stack (Kafka, schema registry, MongoDB-wire)…');
      const endpoints = await stack.up();
      console.log(`栈已就绪 stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      console.log(`  KAFKA_BROKERS=${endpoints.kafkaBrokers}`);
      console.log(`  SCHEMA_REGISTRY_URL=${endpoints.schemaRegistryUrl}`);
      console.log(`  MONGODB_URI=${endpoints.mongodbUri}`);
      return;
    }
    case 'down': {
      const stopped = await stack.down();
      console.log(stopped.length ? `已停止 stopped: ${stopped.join(', ')}` : '没有在运行的组件 nothing was running');
      return;
    }
    case 'reset': {
      await stack.reset();
      console.log('本机栈的数据已清空，用 `yecai stack up` 重新启动 the stack\'s data is deleted; `yecai stack up` starts it empty');
      return;
    }
    case 'status': {
      for (const status of stack.status()) {
        const state = status.running ? '运行中 running' : '未运行 stopped';
        const detail = status.running ? `  pid ${status.pid}  ${status.version}  ${status.endpoint}` : '';
        console.log(`${status.component.padEnd(9)} ${state}${detail}`);
      }
      return;
    }
    case 'logs': {
      const names: ComponentName[] = component ? [parseComponent(component)] : COMPONENTS;
      const lines = flags.lines === undefined ? 40 : Number(flags.lines);
      if (!Number.isInteger(lines) || lines <= 0) throw new UsageError(`--lines: "${flags.lines}" 不是正整数 is not a positive integer`);
      for (const name of names) {
        const file = stack.logFile(name);
        console.log(`==> ${name}: ${file}`);
        if (file && existsSync(file)) console.log(readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n'));
        else console.log('(还没有日志 no log yet)');
      }
      return;
    }
    case 'env': {
      const endpoints = stack.endpoints();
      if (!endpoints) throw new UsageError('栈还没启动过 the stack has not been started — run `yecai stack up` first');
      console.log(`export KAFKA_BROKERS=${endpoints.kafkaBrokers}`);
      console.log(`export SCHEMA_REGISTRY_URL=${endpoints.schemaRegistryUrl}`);
      console.log(`export MONGODB_URI=${endpoints.mongodbUri}`);
      return;
    }
    case 'install': {
      for (const step of await stack.install()) {
        console.log(`  ${step.component}: ${step.seconds === 'cached' ? '已缓存 cached' : `${step.seconds.toFixed(1)}s`}`);
      }
      return;
    }
    default:
      throw new UsageError(action ? `未知的 stack 子命令 unknown stack action "${action}"\n${STACK_USAGE}` : STACK_USAGE);
  }
}

function parseComponent(value: string): ComponentName {
  if ((COMPONENTS as string[]).includes(value)) return value as ComponentName;
  throw new UsageError(`未知组件 unknown component "${value}" — one of ${COMPONENTS.join(', ')}`);
}
