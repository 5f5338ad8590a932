import { parseReconcileConfig } from './config';

describe('the reconciliation service config', () => {
  const connection = { name: 'tenant', serverUrl: 'https://kd.example.com/k3cloud' };

  it('reads one finance system: Kingdee or YonSuite', () => {
    expect(parseReconcileConfig({ kingdee: connection }).kingdee).toEqual(connection);
    expect(parseReconcileConfig({ yonyou: { name: 'ys' } }).yonyou).toEqual({ name: 'ys' });
  });

  it('refuses both or neither, naming the field', () => {
    expect(() => parseReconcileConfig({ kingdee: connection, yonyou: { name: 'ys' } })).toThrow(/yonyou.*exactly one finance system/);
    expect(() => parseReconcileConfig({})).toThrow(/kingdee.*exactly one finance system/);
  });
});
