import type { MasterDataStore, UpsertResult } from './store';

/**
 * The seam for pulling base data from Kingdee. The Kingdee client (libs/kingdee) is being written; anything that can
 * run an ExecuteBillQuery satisfies this interface, so wiring it later is one adapter, not a change here.
 */
export interface KingdeeBaseDataReader {
  /** ExecuteBillQuery: rows as arrays in `fieldKeys` order. */
  executeBillQuery(request: {
    FormId: string;
    FieldKeys: string;
    FilterString?: string;
    OrderString?: string;
    Limit?: number;
    StartRow?: number;
  }): Promise<unknown[][]>;
}

/**
 * Pulls Kingdee organisations into master data (orgs are Kingdee-owned; warehouses, shops and SKUs are mapped
 * by people because they pair a source code with a Kingdee number). Pages by FOrgID, a unique key, so no row is
 * dropped between pages.
 */
export async function pullFromKingdee(client: KingdeeBaseDataReader, store: MasterDataStore, pageSize = 2000): Promise<{ org: UpsertResult }> {
  const orgs: { number: string; name: string }[] = [];
  for (let startRow = 0; ; startRow += pageSize) {
    const rows = await client.executeBillQuery({
      FormId: 'ORG_Organizations',
      FieldKeys: 'FOrgID,FNumber,FName',
      OrderString: 'FOrgID',
      StartRow: startRow,
      Limit: pageSize,
    });
    for (const row of rows) orgs.push({ number: String(row[1]), name: String(row[2]) });
    if (rows.length < pageSize) break;
  }
  return { org: await store.upsert('org', orgs, 'Kingdee ORG_Organizations') };
}
