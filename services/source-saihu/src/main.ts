/**
 * 赛狐 source service; the command line is the kit's (libs/connector-kit/src/source-main.ts):
 *   tsx services/source-saihu/src/main.ts --config saihu.yaml | --check | --once | --backfill --from … --to … | --config-reference
 */
import { saihu } from './source';

saihu.main();
