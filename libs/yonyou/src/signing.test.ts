import { signParameters, tokenQuery } from './signing';

// Vectors of yonyou-api.md §3.2, computed independently in Node crypto and Python hmac; the first one is the value a
// third-party probe sent to the real token endpoint.
describe('YonSuite token signature', () => {
  it.each([
    [{ appKey: 'test', timestamp: '1789123783390' }, 'test', 'y5DMe+UkjSqbPVWsMvGUjfeX6gfCbXnvP0tAU1ZI0jw='],
    [
      { appKey: '41832a3d2df94989b500da6a22268747', timestamp: '1568098531823' },
      'example-secret',
      'SVYwYrsIyBwWFrwqQjAJX8WyQfh8mrA/7t/eZHVMQfM=',
    ],
    [
      { timestamp: '1568098531823', tenantId: 't1', suiteKey: 'sk' },
      'example-secret',
      '5tD3BIZmi6ftUJe0Iv/3zH8Mzl8BIsZC5+hfbWPfrBk=',
    ],
  ])('signs %j with the documented vector', (parameters, secret, expected) => {
    expect(signParameters(parameters, secret)).toBe(expected);
  });

  it('a token query carries the millisecond timestamp and is URL-encoded once by URLSearchParams', () => {
    const query = tokenQuery('41832a3d2df94989b500da6a22268747', 'example-secret', 1568098531823);
    expect(query.timestamp).toBe('1568098531823');
    expect(new URLSearchParams(query).toString()).toContain(
      'signature=SVYwYrsIyBwWFrwqQjAJX8WyQfh8mrA%2F7t%2FeZHVMQfM%3D',
    );
  });
});
