import { jstSign } from './signing';

describe('jstSign', () => {
  const params = {
    app_key: 'ak_test',
    access_token: 'at_test',
    timestamp: '1700000000',
    charset: 'utf-8',
    version: '2',
    biz: '{"page_index":1,"page_size":50}',
  };

  it('reproduces the T1 vector of source-apis.md §7', () => {
    expect(jstSign(params, 'sk_test')).toBe('dc55e713cddc69f853e6532c1a76aaf1');
  });

  it('ignores an existing sign and empty values', () => {
    expect(jstSign({ ...params, sign: 'x', refresh_token: '' }, 'sk_test')).toBe('dc55e713cddc69f853e6532c1a76aaf1');
  });

  it('changes when any signed value changes by one character', () => {
    expect(jstSign({ ...params, timestamp: '1700000001' }, 'sk_test')).not.toBe('dc55e713cddc69f853e6532c1a76aaf1');
    expect(jstSign(params, 'sk_tesT')).not.toBe('dc55e713cddc69f853e6532c1a76aaf1');
  });
});
