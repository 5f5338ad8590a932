/**
 * 聚水潭 source service; the command line is the kit's (libs/connector-kit/src/source-main.ts):
 *   tsx services/source-jushuitan/src/main.ts --config jst.yaml | --check | --once | --backfill --from … --to … | --config-reference
 * The config path may also come from YECAI_JST_CONFIG.
 */
import { jushuitan } from './source';

jushuitan.main();
