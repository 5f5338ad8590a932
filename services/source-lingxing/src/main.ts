/**
 * 领星 source service; the command line is the kit's (libs/connector-kit/src/source-main.ts):
 *   tsx services/source-lingxing/src/main.ts --config lingxing.yaml | --check | --once | --backfill --from … --to … | --config-reference
 */
import { lingxing } from './source';

lingxing.main();
