import { Ledger as KitLedger } from '@yecai/sink-kit';
import type { Db } from 'mongodb';
import { KINGDEE_COLLECTION_PREFIX } from './service';

/** The Kingdee sink's ledger (`sink_kingdee_ledger`, `sink_kingdee_calls`): the kit's ledger under this sink's prefix. */
export class Ledger extends KitLedger {
  constructor(db: Db, prefix = KINGDEE_COLLECTION_PREFIX) {
    super(db, prefix);
  }
}
