import { MongoClient, type Db } from 'mongodb';
import { testEndpoints } from './endpoints';
import { uniqueName } from './kafka-helpers';

/** A connected client and a database no other test uses; call `close()` in afterAll. */
export async function testMongo(label = 'test'): Promise<{ client: MongoClient; db: Db; close: () => Promise<void> }> {
  const client = new MongoClient(testEndpoints().mongodbUri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
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
