import type { Db, MongoClient } from 'mongodb';
import { connectMongo } from '@yecai/store';
import { testEndpoints } from './endpoints';
import { uniqueName } from './kafka-helpers';

/** A connected client and a database no other test uses; call `close()` in afterAll. */
export async function testMongo(label = 'test'): Promise<{ client: MongoClient; db: Db; close: () => Promise<void> }> {
  const { client } = await connectMongo(testEndpoints().mongodbUri, { appName: 'yecai-test' });
  const db = client.db(uniqueName(label).replace(/-/g, '_'));
  return {
    client,
    db,
    close: async () => {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}
