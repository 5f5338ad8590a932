import { lingxingSign, lingxingStringToSign } from './signing';

describe('领星 signing', () => {
  // The open-API documentation's algorithm, vector recomputed with OpenSSL (source-apis §4.3, T7).
  const params = {
    access_token: '59cf5437-669b-49f5-83c4-3cc1d1404680',
    app_key: 'ak_0123456789abc',
    timestamp: 1639734344,
    offset: 0,
    length: 20,
  };

  it('signs the worked vector', () => {
    expect(lingxingStringToSign(params)).toBe(
      'access_token=59cf5437-669b-49f5-83c4-3cc1d1404680&app_key=ak_0123456789abc&length=20&offset=0&timestamp=1639734344',
    );
    expect(lingxingSign('ak_0123456789abc', params)).toBe(
      'xUPCuB57bFi56QnozX0ra8s6NzdOAeO79NSvQxo2g+1IwVhSPzVcd0sPeLkAl3rO',
    );
    expect(encodeURIComponent(lingxingSign('ak_0123456789abc', params))).toContain('g%2B1IwV');
  });

  it('changes with any signed value, ignores a sign already present, leaves "" and null out', () => {
    const sign = lingxingSign('ak_0123456789abc', params);
    expect(lingxingSign('ak_0123456789abc', { ...params, length: 21 })).not.toBe(sign);
    expect(lingxingSign('ak_0123456789abd', params)).not.toBe(sign);
    expect(lingxingSign('ak_0123456789abc', { ...params, sign: 'x', remark: '', sid: null })).toBe(sign);
    expect(lingxingStringToSign({ b: [1, '二'], a: { y: 1, x: 2 } })).toBe('a={"y":1,"x":2}&b=[1,"二"]');
  });

  it('names the problem when the appId is not a 16-byte AES key', () => {
    expect(() => lingxingSign('short', params)).toThrow(/16 bytes/);
  });
});
