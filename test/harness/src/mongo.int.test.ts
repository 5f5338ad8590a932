import { MongoServerError } from 'mongodb';
import { testMongo } from '@yecai/test-harness';

describe('MongoDB-wire server', () => {
  it('rejects a duplicate under a unique index with code 11000', async () => {
    const { db, close } = await testMongo('unique');
    try {
      const ledger = db.collection('ledger');
      await ledger.createIndex({ account: 1, form: 1, billNo: 1 }, { unique: true });
      await ledger.insertOne({ account: 'ZT01', form: 'SAL_OUTSTOCK', billNo: 'JST-1001', state: 'PENDING' });
      const duplicate = ledger.insertOne({ account: 'ZT01', form: 'SAL_OUTSTOCK', billNo: 'JST-1001', state: 'PENDING' });
      await expect(duplicate).rejects.toBeInstanceOf(MongoServerError);
      await expect(duplicate).rejects.toMatchObject({ code: 11000 });
      // Same bill number on another form is a different bill.
      await ledger.insertOne({ account: 'ZT01', form: 'SAL_RETURNSTOCK', billNo: 'JST-1001', state: 'PENDING' });
      expect(await ledger.countDocuments()).toBe(2);
    } finally {
      await close();
    }
  });
});
