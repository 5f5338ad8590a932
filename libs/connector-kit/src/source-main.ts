/**
 * The command line every source service shares — live sync, `--check`, `--once`, `--backfill` — so a new source's
 * main.ts is only its names and factories:
 *   tsx services/<source>/src/main.ts --config source.yaml          live sync until SIGTERM
 *   … --check                                                        probe every account's credentials
 *   … --once                                                         one cycle of every stream, then exit
 *   … --backfill --from "2026-10-01 00:00:00" --to "2026-10-08 00:00:00" [--streams a,b] [--accounts a,b]
 *   … --config-reference                                             every config field, its default and env override
 */
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Registry } from 'prom-client';
import {
  YecaiError,
  ValidationError,
  createLogger,
  errorMessage,
  parseBeijingTime,
  startOpsServer,
  type Logger,
} from '@yecai/common';
import type { BackfillRequest } from './runtime';
import type { CycleResult } from './stream-sync';
import type { CheckResult } from './transport';

/** What a source service exposes to its command line (the kit's SourceRuntime, or several run as one). */
export interface SourceServiceHandle {
  runtime: {
    readonly ready: boolean;
    start(): Promise<void>;
    runOnce(): Promise<Map<string, CycleResult>>;
    backfill(request: BackfillRequest): Promise<Map<string, CycleResult>>;
  };
  metrics: Registry;
  close(): Promise<void>;
}

export interface SourceMainSpec<Config extends { opsPort: number; accounts: { name: string }[] }> {
  /** Service name for logs, e.g. `source-jushuitan`. */
  service: string;
  /** Environment variable that may hold the config path, e.g. `YECAI_JST_CONFIG`. */
  configEnv: string;
  loadConfig(path: string): Promise<Config>;
  /** One transport per account, without Kafka (for `--check`). */
  createTransports(config: Config, logger: Logger): Map<string, { check(): Promise<CheckResult> }>;
  createService(config: Config, logger: Logger): SourceServiceHandle;
  /** The config reference generated from the schema, printed by `--config-reference`. */
  configReference?(): string;
}

function fail(message: string, code = 2): never {
  writeSync(2, `${message}\n`); // synchronous: process.exit would drop a pending pipe write
  process.exit(code);
}

const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);

async function runSource<Config extends { opsPort: number; accounts: { name: string }[] }>(
  spec: SourceMainSpec<Config>,
  logger: Logger,
): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string' },
        check: { type: 'boolean', default: false },
        once: { type: 'boolean', default: false },
        backfill: { type: 'boolean', default: false },
        from: { type: 'string' },
        to: { type: 'string' },
        streams: { type: 'string' },
        accounts: { type: 'string' },
        'config-reference': { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    fail(`参数错误 / bad arguments: ${errorMessage(error)}`);
  }
  if (values['config-reference'] && spec.configReference) {
    process.stdout.write(spec.configReference());
    return;
  }
  const configPath = values.config ?? process.env[spec.configEnv];
  if (!configPath)
    fail(`缺少配置文件：请用 --config 或 ${spec.configEnv} 指定 / missing config: pass --config or set ${spec.configEnv}`);
  const config = await spec.loadConfig(configPath);
  if (values.check) {
    let allOk = true;
    for (const [name, transport] of spec.createTransports(config, logger)) {
      const result = await transport.check();
      allOk &&= result.ok;
      process.stdout.write(`${result.ok ? '✓' : '✗'} ${name}: ${result.message}${result.code ? ` [${result.code}]` : ''}\n`);
    }
    process.exit(allOk ? 0 : 1);
  }

  const service = spec.createService(config, logger);

  if (values.backfill) {
    if (!values.from || !values.to)
      fail('回补需要 --from 和 --to（北京时间 yyyy-MM-dd HH:mm:ss）/ --backfill needs --from and --to (Beijing time)');
    const streams = list(values.streams);
    const accounts = list(values.accounts);
    const results = await service.runtime.backfill({
      fromMs: parseBeijingTime(values.from, '--from'),
      toMs: parseBeijingTime(values.to, '--to'),
      ...(streams ? { streams } : {}),
      ...(accounts ? { accounts } : {}),
    });
    for (const [lane, result] of results) process.stdout.write(`回补完成 backfilled ${lane}: ${result.published} documents\n`);
    await service.close();
    return;
  }

  if (values.once) {
    const results = await service.runtime.runOnce();
    for (const [lane, result] of results)
      process.stdout.write(`${lane}: ${result.published} published, ${result.skipped} already published\n`);
    await service.close();
    return;
  }

  const ops = await startOpsServer({ port: config.opsPort, registry: service.metrics, isReady: () => service.runtime.ready });
  await service.runtime.start();
  logger.info({ opsPort: ops.port, accounts: config.accounts.map((account) => account.name) }, `${spec.service} running`);
  const shutdown = async () => {
    await service.close();
    await ops.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

/** Runs a source service's command line; exits with 2 on bad arguments or config, 1 on failure. */
export function runSourceMain<Config extends { opsPort: number; accounts: { name: string }[] }>(spec: SourceMainSpec<Config>): void {
  const logger = createLogger(spec.service);
  runSource(spec, logger).catch((error: unknown) => {
    if (error instanceof ValidationError) fail(`配置错误 / configuration error: ${error.message}`);
    if (error instanceof YecaiError) fail(`${error.userMessage} [${error.code}]`, 1);
    logger.error({ err: errorMessage(error) }, `${spec.service} failed`);
    fail(`失败 / failed: ${errorMessage(error)}`, 1);
  });
}
