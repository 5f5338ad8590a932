/**
 * 聚水潭 source service (the command line is the kit's: libs/connector-kit/src/source-main.ts).
 *   tsx services/source-jushuitan/src/main.ts --config jst.yaml            live sync until SIGTERM
 *   … --check | --once | --backfill --from "2026-10-01 00:00:00" --to "2026-10-08 00:00:00" [--streams a,b] [--accounts a,b]
 * The config path may also come from YECAI_JST_CONFIG.
 */
import { runSourceMain } from '@yecai/connector-kit';
import { loadJstConfig } from './config';
import { createJstService, createJstTransports } from './service';

runSourceMain({
  service: 'source-jushuitan',
  configEnv: 'YECAI_JST_CONFIG',
  loadConfig: loadJstConfig,
  createTransports: createJstTransports,
  createService: createJstService,
});
