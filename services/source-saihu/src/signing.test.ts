import { saihuSign } from './signing';

describe('赛狐 signing', () => {
  // The official documentation vector (source-apis.md §5.2, §7 T8); the doc signs the /openapi-prefixed url.
  const vector = {
    accessToken: 'd20d9d20-5db0-429a-8390-3694265e297c',
    clientId: '1111111',
    nonce: '888',
    timestamp: '1668153260508',
    url: '/openapi/api/commodity/pageList.json',
  };
  const secret = 'fde212ff-588a-11ef-b1d4-0c42a1eda3d9';

  it('reproduces the official vector', () => {
    expect(saihuSign(secret, vector)).toBe('57bcbd213461d47e99e9b781c11f3fb37937127824272a30b95ddb5cbfea881e');
  });

  it.each([
    ['nonce', { nonce: '889' }],
    ['url without the /openapi prefix', { url: '/api/commodity/pageList.json' }],
    ['timestamp', { timestamp: '1668153260509' }],
    ['method', { method: 'get' as const }],
  ])('changes when the %s changes', (_name, change) => {
    expect(saihuSign(secret, { ...vector, ...change })).not.toBe(
      '57bcbd213461d47e99e9b781c11f3fb37937127824272a30b95ddb5cbfea881e',
    );
  });

  it('depends on the secret', () => {
    expect(saihuSign(`${secret.slice(0, -1)}8`, vector)).not.toBe(saihuSign(secret, vector));
  });
});
