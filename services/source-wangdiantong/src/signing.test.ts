import { createHash } from 'node:crypto';
import { splitQjbAppSecret, wdtQjbSign, wdtQjbTimestamp, wdtQybSign } from './signing';

describe('旺店通 企业版 signature (source-apis.md §3.1)', () => {
  const params = {
    sid: 'test2',
    appkey: 'test2-xx',
    timestamp: '1470042310',
    start_time: '2016-08-01 12:00:00',
    end_time: '2016-08-01 13:00:00',
    page_no: '0',
    page_size: '40',
  };

  it('reproduces the official documentation vector', () => {
    expect(wdtQybSign(params, '12345')).toBe('ad4e6fe037ea6e3ba4768317be9d1309');
  });

  it('counts characters, not bytes: the non-ASCII vector', () => {
    const sign = wdtQybSign({ ...params, shop_no: '测试店' }, '12345');
    expect(sign).toBe('3caaea564b84772b656c23bab48b76d7');
    expect(sign).not.toBe('29eaddc9d515efd738949aad6b65e6bf'); // what byte-counting clients produce
  });

  it('counts an astral-plane character once (code points, not UTF-16 units)', () => {
    const text = '06-remark:0001-😀';
    const expected = createHash('md5').update(`${text}12345`, 'utf8').digest('hex');
    expect(wdtQybSign({ remark: '😀' }, '12345')).toBe(expected);
  });

  it('ignores an existing sign and changes with any value or the secret', () => {
    expect(wdtQybSign({ ...params, sign: 'x' }, '12345')).toBe('ad4e6fe037ea6e3ba4768317be9d1309');
    expect(wdtQybSign({ ...params, page_no: '1' }, '12345')).not.toBe('ad4e6fe037ea6e3ba4768317be9d1309');
    expect(wdtQybSign(params, '12346')).not.toBe('ad4e6fe037ea6e3ba4768317be9d1309');
  });
});

describe('旺店通 旗舰版 signature (source-apis.md §3.4)', () => {
  const query = {
    sid: 'wdtapi3',
    key: 'appkey',
    salt: 'salt',
    method: 'goods.Goods.queryWithSpec',
    timestamp: '100',
    v: '1.0',
  };

  it('reproduces the published Go SDK vector with the body signed as a pseudo-parameter', () => {
    expect(wdtQjbSign(query, '[{"goods_no":"G001"}]', 'secret')).toBe('703b2c4b5b16565883e6b58d18e254a2');
  });

  it('changes when the body changes by one character, and ignores an existing sign', () => {
    expect(wdtQjbSign(query, '[{"goods_no":"G002"}]', 'secret')).not.toBe('703b2c4b5b16565883e6b58d18e254a2');
    expect(wdtQjbSign({ ...query, sign: 'x' }, '[{"goods_no":"G001"}]', 'secret')).toBe(
      '703b2c4b5b16565883e6b58d18e254a2',
    );
  });

  it('shifts the timestamp to seconds since 2012-01-01 Beijing time', () => {
    expect(wdtQjbTimestamp(1_325_347_200_000)).toBe('0');
    expect(wdtQjbTimestamp(1_700_000_000_999)).toBe(String(1_700_000_000 - 1_325_347_200));
  });

  it('splits "secret:salt" and rejects anything else', () => {
    expect(splitQjbAppSecret('s3cr3t:salty')).toEqual({ secret: 's3cr3t', salt: 'salty' });
    expect(() => splitQjbAppSecret('nosalt')).toThrow(/secret:salt/);
    expect(() => splitQjbAppSecret(':salt')).toThrow(/secret:salt/);
  });
});
