import { KingdeeAuthError, KingdeeBusinessError, KingdeeDataError, KingdeeSystemError, errorFromFailure, levelOfMessage } from './errors';

describe('classification of Kingdee failures', () => {
  it.each([
    ['字段“客户”是必填项', 1],
    ['单据体实体【明细信息】第【1】行分录，【仓库】字段必录', 1],
    ['参数不能为空', 1],
    ['违反字段唯一性要求：编码唯一。[test5]在当前系统中已经被使用。', 2],
    ['更新库存出现异常情况，更新库存不成功！', 2],
    ['单据编号为“TK202504030001”的销售出库单，单据已经审核！', 2],
    ['单据日期校验不通过：组织【100】已关账至2024-12-31', 2],
    ['当前状态为已审核，不允许修改！', 2],
    // 核销 refusals of a receipt that a person fixes (no receivable, over-payment): never retried as a business conflict.
    ['单据体实体【源单明细】第【1】行分录，源单编号为“113-1000001-0007919”的应收单不存在，可能已被删除或作废', 1],
    ['单据体实体【源单明细】第【1】行分录，本次收款金额 10.01 超过源单编号为“AR-3”的应收单未核销金额 10（应收金额 30）', 1],
    // A source bill not audited yet: its audit is usually in flight (a receipt overtaking its receivable) → ladder.
    ['单据体实体【源单明细】第【1】行分录，源单编号为“AR-4”的应收单未审核，不能收款核销', 2],
    ['销售出库单未审核，不能下推！', 2],
    ['单据体实体【明细信息】第【1】行分录的基础资料值“M-1”不存在、未审核、已禁用或未分配到组织【100】', 1],
  ])('MsgCode 11 "%s" is level %d', (message, level) => {
    expect(levelOfMessage(11, message)).toBe(level);
  });

  it('maps MsgCodes to classes', () => {
    const details = [{ field: null, message: 'x', index: 0 }];
    const of = (msgCode: number) => errorFromFailure({ operation: 'Save', formId: 'SAL_OUTSTOCK', msgCode, details });
    expect(of(1)).toBeInstanceOf(KingdeeAuthError);
    expect(of(14)).toBeInstanceOf(KingdeeSystemError);
    expect(of(14).retriable).toBe(true);
    expect(of(13)).toBeInstanceOf(KingdeeBusinessError);
    expect(of(13).retriable).toBe(true);
    expect(of(9)).toBeInstanceOf(KingdeeDataError);
    expect(of(12)).toBeInstanceOf(KingdeeBusinessError);
  });

  it('one business-conflict line makes the whole failure level 2 and names the first field', () => {
    const error = errorFromFailure({
      operation: 'Save',
      formId: 'SAL_OUTSTOCK',
      msgCode: 11,
      details: [
        { field: 'FCustomerID', message: '字段“客户”是必填项', index: 0 },
        { field: 'FBillNo', message: '违反字段唯一性要求：编码唯一。[A]在当前系统中已经被使用。', index: 0 },
      ],
    });
    expect(error).toBeInstanceOf(KingdeeBusinessError);
    expect(error.field).toBe('FCustomerID');
    expect(error.userMessage).toContain('金蝶Save失败');
  });
});
