/**
 * 旺店通 source service (企业版 and 旗舰版, chosen per account).
 *   tsx services/source-wangdiantong/src/main.ts --config jst.yaml            live sync until SIGTERM
 *   … --check                                                               probe every account's credentials
 *   … --once                                                                one cycle of every stream, then exit
 *   … --backfill --from "2026-10-01 00:00:00" --to "2026-10-08 00:00:00" [--streams sales_outstock,transfer] [--accounts a,b]
 * The config path may also come from YECAI_WDT_CONFIG.
 */
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  YecaiError,
  ValidationError,
  createLogger,
  errorMessage,
  parseBeijingTime,
  startOpsServer,
} from '@yecai/common';
import { loadWdtConfig } from './config';
import { createWdtService, createWdtTransports } from './service';

const logger = createLogger('source-wangdiantong');

function fail(message: string, code = 2): never {
  writeSync(2, `${message}\n`); // synchronous: process.exit would drop a pending pipe write
  process.exit(code);
}

async function main(): Promise<void> {
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
      },
    }));
  } catch (error) {
    fail(`参数错误 / bad arguments: ${errorMessage(error)}`);
  }
  const configPath = values.config ?? process.env.YECAI_WDT_CONFIG;
  if (!configPath)
    fail(
      '缺少配置文件：请用 --config 或 YECAI_WDT_CONFIG 指定 / missing config: pass --config or set YECAI_WDT_CONFIG',
    );
  const config = await loadWdtConfig(configPath);
  if (values.check) {
    let allOk = true;
    for (const [name, transport] of createWdtTransports(config, logger)) {
      const result = await transport.check();
      allOk &&= result.ok;
      process.stdout.write(
        `${result.ok ? '✓' : '✗'} ${name}: ${result.message}${result.code ? ` [${result.code}]` : ''}\n`,
      );
    }
    process.exit(allOk ? 0 : 1);
  }

  const service = createWdtService(config, logger);

  if (values.backfill) {
    if (!values.from || !values.to)
      fail('回补需要 --from 和 --to（北京时间 yyyy-MM-dd HH:mm:ss）/ --backfill needs --from and --to (Beijing time)');
    const fromMs = parseBeijingTime(values.from, '--from');
    const toMs = parseBeijingTime(values.to, '--to');
    const results = await service.runtime.backfill({
      fromMs,
      toMs,
      ...(values.streams
        ? {
            streams: values.streams
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          }
        : {}),
      ...(values.accounts
        ? {
            accounts: values.accounts
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          }
        : {}),
    });
    for (const [lane, result] of results)
      process.stdout.write(`回补完成 backfilled ${lane}: ${result.published} documents\n`);
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

  const ops = await startOpsServer({
    port: config.opsPort,
    registry: service.metrics,
    isReady: () => service.runtime.ready,
  });
  await service.runtime.start();
  logger.info({ opsPort: ops.port, accounts: config.accounts.map((a) => a.name) }, 'source-wangdiantong running');
  const shutdown = async () => {
    await service.close();
    await ops.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((error: unknown) => {
  if (error instanceof ValidationError) fail(`配置错误 / configuration error: ${error.message}`);
  if (error instanceof YecaiError) fail(`${error.userMessage} [${error.code}]`, 1);
  logger.error({ err: errorMessage(error) }, 'source-wangdiantong failed');
  fail(`失败 / failed: ${errorMessage(error)}`, 1);
});
