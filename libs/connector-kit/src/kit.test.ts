import { CallRateLimiter } from './rate-limit';
import { parseJsonLossless, scalarText } from './json';
import { defineStreams } from './stream';
import { decodeCheckpoint, encodeCheckpoint, type StreamCheckpoint } from './checkpoint';

const base = {
  name: 'orders',
  documentType: 'orders',
  endpoint: '/orders',
  idField: 'id',
  modifiedField: 'modified',
  cursor: { kind: 'modified_time', maxWindowMs: 3_600_000, windowMs: 3_600_000, overlapMs: 300_000 },
  paging: { style: 'page_index_backward', pageSize: 50, maxPageSize: 50 },
} as const;

describe('stream declarations', () => {
  it('fill in defaults for a valid declaration', () => {
    const [stream] = defineStreams('demo', [base]);
    expect(stream).toMatchObject({ modifiedFormat: 'beijing_datetime', params: {}, cursor: { settleLagMs: 60_000 } });
  });

  it.each([
    [
      { paging: { style: 'page_index_backward', pageSize: 51, maxPageSize: 50 } },
      /paging\.pageSize: must be ≤ maxPageSize 50/,
    ],
    [{ cursor: { ...base.cursor, windowMs: 7_200_000 } }, /cursor\.windowMs: must be ≤ maxWindowMs/],
    [{ cursor: { ...base.cursor, overlapMs: 3_600_000 } }, /cursor\.overlapMs: must be shorter than windowMs/],
    [
      { paging: { style: 'token', pageSize: 50, maxPageSize: 50 } },
      /paging\.style: token paging goes with a monotonic_token cursor/,
    ],
    [{ name: 'Orders!' }, /demo stream #0 \(Orders!\).*name/],
  ])('reject %j naming the field', (override, message) => {
    expect(() => defineStreams('demo', [{ ...base, ...override } as never])).toThrow(message);
  });

  it('reject a stream declared twice', () => {
    expect(() => defineStreams('demo', [base, base])).toThrow(/"orders" is declared twice/);
  });
});

describe('parseJsonLossless', () => {
  it('keeps 64-bit integers and trailing zeros as the API wrote them', () => {
    const text = '{"ts":18446744073709551615,"price":59.50,"qty":2,"id":20240001}';
    const parsed = parseJsonLossless(text) as Record<string, unknown>;
    expect(JSON.stringify(parsed)).toBe(text);
    expect(scalarText(parsed.ts)).toBe('18446744073709551615');
    expect(parsed.qty).toBe(2);
    expect(scalarText(parsed.id)).toBe('20240001');
  });
});

describe('checkpoint encoding', () => {
  it('round-trips and names the bad field of a corrupt checkpoint', () => {
    const checkpoint: StreamCheckpoint = {
      version: 1,
      account: 'a',
      stream: 's',
      mode: 'live',
      cursor: '1700000000000',
      completed: false,
      seen: { '1': '1700000000000:abcd' },
      updatedAt: 1,
    };
    expect(decodeCheckpoint(encodeCheckpoint(checkpoint), 'a/s')).toEqual(checkpoint);
    expect(() => decodeCheckpoint(Buffer.from(JSON.stringify({ ...checkpoint, cursor: 'yesterday' })), 'a/s')).toThrow(
      /checkpoint a\/s.*cursor/,
    );
  });
});

describe('CallRateLimiter', () => {
  it('spaces calls to the per-second budget', async () => {
    const limiter = new CallRateLimiter({ perSecond: 5, perMinute: 100 });
    const started = Date.now();
    for (let i = 0; i < 11; i++) await limiter.acquire();
    // 11 calls at 5/s need two full one-second windows after the first five.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('waits out a block requested by the source', async () => {
    const limiter = new CallRateLimiter({ perSecond: 100, perMinute: 1000 });
    limiter.block(300);
    const started = Date.now();
    await limiter.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});
