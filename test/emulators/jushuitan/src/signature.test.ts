import { expectedJstSign, jstStringToSign, verifyJstSign } from './signature';

/** source-apis.md §2.2: the vector recomputed from the protocol text (not from any of our code). */
const VECTOR = {
  app_key: 'ak_test',
  access_token: 'at_test',
  timestamp: '1700000000',
  charset: 'utf-8',
  version: '2',
  biz: '{"page_index":1,"page_size":50}',
};

describe('JST emulator signature (source-apis.md §2.2)', () => {
  it('builds the documented string to sign and md5 of it', () => {
    expect(jstStringToSign(VECTOR, 'sk_test')).toBe(
      'sk_testaccess_tokenat_testapp_keyak_testbiz{"page_index":1,"page_size":50}charsetutf-8timestamp1700000000version2',
    );
    expect(expectedJstSign(VECTOR, 'sk_test')).toBe('dc55e713cddc69f853e6532c1a76aaf1');
  });

  it('accepts the vector signature and refuses a changed parameter, another secret or an upper-case sign', () => {
    expect(verifyJstSign({ ...VECTOR, sign: 'dc55e713cddc69f853e6532c1a76aaf1' }, 'sk_test')).toBe(true);
    expect(verifyJstSign({ ...VECTOR, timestamp: '1700000001', sign: 'dc55e713cddc69f853e6532c1a76aaf1' }, 'sk_test')).toBe(false);
    expect(verifyJstSign({ ...VECTOR, sign: 'dc55e713cddc69f853e6532c1a76aaf1' }, 'sk_other')).toBe(false);
    expect(verifyJstSign({ ...VECTOR, sign: 'DC55E713CDDC69F853E6532C1A76AAF1' }, 'sk_test')).toBe(false);
  });

  it('drops empty parameters and sorts keys by ASCII code, not by locale', () => {
    // An empty value is not signed: the same sign as without the key.
    expect(expectedJstSign({ ...VECTOR, scope: '' }, 'sk_test')).toBe('dc55e713cddc69f853e6532c1a76aaf1');
    // Upper case sorts before '_' and lower case (ASCII), where a locale sort would interleave them.
    expect(jstStringToSign({ b: '1', B: '2', _x: '3', a: '4' }, 's')).toBe('sB2_x3a4b1');
  });
});
