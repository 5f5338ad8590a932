/**
 * 旺店通 source service, 企业版 and 旗舰版 chosen per account; the command line is the kit's
 * (libs/connector-kit/src/source-main.ts):
 *   tsx services/source-wangdiantong/src/main.ts --config wdt.yaml | --check | --once | --backfill --from … --to … | --config-reference
 * The config path may also come from YECAI_WDT_CONFIG.
 */
import { wangdiantong } from './source';

wangdiantong.main();
