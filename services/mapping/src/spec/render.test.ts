import { readFileSync } from 'node:fs';
import { loadRules } from '../rules/load-rules';
import { FIELD_MAPPING_DOC } from '../spec-cli';
import { renderFieldMapping } from './render';

describe('field mapping document (docs/field-mapping.md)', () => {
  const text = renderFieldMapping(loadRules());

  it('shows the 赛狐 fee-type table: fee type → account and expense item, VAT on its tax account', () => {
    const table = text.slice(text.indexOf('## 费用类型 → 会计科目（saihu 示例表）'));
    expect(table).toContain('| `Order/Commission` | 6601.01 | FY-COMMISSION |');
    expect(table).toContain('| `Order/MarketplaceFacilitatorVAT-Principal` | 2221.08 | FY-VAT |');
  });

  it('is up to date with the rules (regenerate: npx tsx services/mapping/src/spec-cli.ts)', () => {
    expect(readFileSync(FIELD_MAPPING_DOC, 'utf8')).toBe(text);
  });

  it('states the §2 rules a finance lead signs: fixed org 100 and RMB, the remark, the A/G batch rule, 实退数量 > 0', () => {
    const outStock = text.slice(text.indexOf('## 聚水潭销售出库单'), text.indexOf('## 聚水潭退货单'));
    expect(outStock).toContain('| 销售组织 | `saleOrg` |  |  | `100` | 是 |');
    expect(outStock).toContain('| 结算币别 | `currency` |  |  | `RMB` | 是 |');
    expect(outStock).toContain('| 单据编号 | `billNumber` | 发货单号 `io_id` | 直接取值 |');
    expect(outStock).toContain('`"聚水潭" & so_id`');
    const salesReturn = text.slice(text.indexOf('## 聚水潭退货入库'));
    expect(salesReturn).toContain('| 日期 | `date` | 入库日期 `io_date` | 直接取值 |');
    expect(salesReturn).toContain('| 实退数量大于0 | 只同步实际收货数量 > 0 的明细（即实退数量；全部为 0 的不同步） | `qty > 0` |');
    expect(salesReturn).toContain('| 批号 | `batch` | 批次号；款式编码（明细没有 i_id 时取商品编码第一个“-”之前的部分） | [聚水潭批号策略](#jushuitanlot) |  |  | 留空 empty |');
    const lotPolicy = text.slice(text.indexOf('## 聚水潭批号策略'), text.indexOf('## 旺店通批号策略'));
    expect(lotPolicy).toContain('`$contains($exists(i_id) ? i_id : $substringBefore(sku_id, "-"), "A") ? "0" : $contains($exists(i_id) ? i_id : $substringBefore(sku_id, "-"), "G") ? ""`');
    expect(lotPolicy).toContain('| 无值 | 以上都没有结果（含批号规则 `source` 而明细没有批次号） | 留空 empty（不启用批号） |');
  });

  it('escapes expressions so a table cell never breaks', () => {
    const rendered = renderFieldMapping(loadRules()).split('\n').filter((line) => line.startsWith('| 调拨数量'));
    expect(rendered[0]!.split(/(?<!\\)\|/).length).toBe(10);
  });
});
