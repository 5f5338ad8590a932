/**
 * 旺店通 source service, 企业版 and 旗舰版 chosen per account (the command line is the kit's:
 * libs/connector-kit/src/source-main.ts).
 *   tsx services/source-wangdiantong/src/main.ts --config wdt.yaml          live sync until SIGTERM
 *   … --check | --once | --backfill --from "2026-10-01 00:00:00" --to "2026-10-08 00:00:00" [--streams a,b] [--accounts a,b]
 * The config path may also come from YECAI_WDT_CONFIG.
 */
import { runSourceMain } from '@yecai/connector-kit';
import { loadWdtConfig } from './config';
import { createWdtService, createWdtTransports } from './service';

runSourceMain({
  service: 'source-wangdiantong',
  configEnv: 'YECAI_WDT_CONFIG',
  loadConfig: loadWdtConfig,
  createTransports: createWdtTransports,
  createService: createWdtService,
});
