import { testEndpoints, testMongo } from '@yecai/test-harness';
import { connectMongo, ensureReadIndexes, insertManyNew, insertOnce, isFerretDb } from '@yecai/store';

describe('connectMongo', () => {
  it('opens the named database by default and any other by name', async () => {
    const dbName = `store_connect_${Date.now().toString(36)}`;
    const mongo = await connectMongo(testEndpoints().mongodbUri, { appName: 'store-test', dbName });
    try {
      await mongo
        .db()
        .collection<{ _id: string; text: string }>('notes')
        .insertOne({ _id: 'a', text: 'written through db()' });
      expect(await mongo.db(dbName).collection('notes').findOne({})).toEqual({
        _id: 'a',
        text: 'written through db()',
      });
      expect(mongo.db('admin').databaseName).toBe('admin');
    } finally {
      await mongo.db().dropDatabase();
      await mongo.close();
    }
  });

  it('refuses db() without a database name instead of writing to the driver default "test"', async () => {
    const mongo = await connectMongo(testEndpoints().mongodbUri, { appName: 'store-test' });
    try {
      expect(() => mongo.db()).toThrow(/no MongoDB database named for store-test/);
    } finally {
      await mongo.close();
    }
  });

  it('fails within the server-selection timeout when nothing listens', async () => {
    const started = Date.now();
    await expect(
      connectMongo('mongodb://127.0.0.1:1/', { appName: 'store-test', serverSelectionTimeoutMs: 300 }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('insert-only writes', () => {
  it('insertManyNew inserts the new documents and answers which ones already existed', async () => {
    const { db, close } = await testMongo('store_insert');
    try {
      const ledger = db.collection<{ _id: string; state: string }>('ledger');
      expect(await insertManyNew(ledger, [{ _id: 'JST-1', state: 'PENDING' }])).toEqual(new Set());
      const existed = await insertManyNew(ledger, [
        { _id: 'JST-2', state: 'PENDING' },
        { _id: 'JST-1', state: 'CHANGED' },
        { _id: 'JST-3', state: 'PENDING' },
      ]);
      expect(existed).toEqual(new Set([1]));
      // The duplicate left the first writer's document as it was; the others went in despite it (unordered).
      expect(await ledger.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 'JST-1', state: 'PENDING' },
        { _id: 'JST-2', state: 'PENDING' },
        { _id: 'JST-3', state: 'PENDING' },
      ]);
      expect(await insertManyNew(ledger, [{ _id: 'JST-2', state: 'AGAIN' }])).toEqual(new Set([0]));
    } finally {
      await close();
    }
  });

  it('insertOnce is true for the first writer and false for every later one', async () => {
    const { db, close } = await testMongo('store_once');
    try {
      const claims = db.collection<{ _id: string; owner: string }>('claims');
      expect(await insertOnce(claims, { _id: 'bill-1', owner: 'a' })).toBe(true);
      expect(await insertOnce(claims, { _id: 'bill-1', owner: 'b' })).toBe(false);
      expect(await claims.findOne({ _id: 'bill-1' })).toEqual({ _id: 'bill-1', owner: 'a' });
    } finally {
      await close();
    }
  });

  it('ensureReadIndexes creates read indexes on MongoDB and none on FerretDB', async () => {
    const { db, close } = await testMongo('store_index');
    try {
      const parked = db.collection('parked');
      await parked.insertOne({ flow: 'sales_outstock' });
      await ensureReadIndexes(db, [{ collection: parked, key: { flow: 1 }, name: 'by_flow' }]);
      const names = (await parked.indexes()).map((index) => index.name);
      if (await isFerretDb(db)) expect(names).not.toContain('by_flow');
      else expect(names).toContain('by_flow');
    } finally {
      await close();
    }
  });
});
