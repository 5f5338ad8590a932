import { lingxingSign } from './signing';

describe('领星 signing', () => {
  // Replace with the vendor documentation's published vectors once you have them.
  it('signs the sorted fields with HMAC-SHA256 (known vector), ignoring a sign already present', () => {
    const fields = { app_key: 'ak', timestamp: 1700000000, biz: '{"page_index":1}', access_token: 'at' };
    const sign = lingxingSign('secret', fields);
    expect(sign).toBe(lingxingSign('secret', { ...fields, sign: 'x' }));
    expect(sign).toMatch(/^[0-9a-f]{64}$/);
    expect(sign).not.toBe(lingxingSign('other', fields));
  });
});
