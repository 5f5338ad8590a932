import { errorFromEnvelope } from './errors';

describe('YonSuite answers as exception levels', () => {
  it.each([
    ['999', '保存失败：客户[NO-CUST]不存在', 1, 'data', 'cust'],
    ['999', '保存失败：现存量不足，请检查存量是否充足', 2, 'business', undefined],
    ['1002', '数据不存在', 1, 'data', undefined],
    ['310046', 'API调用频率超限', 3, 'throttled', undefined],
    ['310037', 'API未被授权', 3, 'auth', undefined],
    ['202', '处理中', 3, 'in_progress', undefined],
  ])('code %s "%s" → level %i (%s), field %s', (code, message, level, kind, field) => {
    const error = errorFromEnvelope(code, message, '/yonbip/scm/salesout/single/save', true);
    expect([error.level, error.kind, error.field]).toEqual([level, kind, field]);
    expect(error.retriable).toBe(kind === 'throttled' || kind === 'in_progress');
  });

  it('a gateway timeout (310504) on a write is indeterminate, on a read only unavailable', () => {
    expect(errorFromEnvelope('310504', '超时', '/p', true).kind).toBe('indeterminate');
    expect(errorFromEnvelope('310504', '超时', '/p', false).kind).toBe('unavailable');
  });
});
