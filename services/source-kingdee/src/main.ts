/**
 * 金蝶 source service; the command line is the kit's (libs/connector-kit/src/source-main.ts):
 *   tsx services/source-kingdee/src/main.ts --config kingdee.yaml | --check | --once | --backfill --from … --to … | --config-reference
 */
import { kingdee } from './source';

kingdee.main();
