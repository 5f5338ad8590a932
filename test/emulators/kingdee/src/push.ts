import { Decimal } from '@yecai/common';
import { CONVERSION_RULES, conversionRule, type ConversionRule } from '@yecai/kingdee';
import { billForm, type BillFormDef } from './forms';
import { pick, type ErrorLine, type KingdeeState, type SaveParams, type StoredBill, type StoredValue } from './state';

/**
 * 下推 Push (kingdee-webapi.md §4.8) for the conversion rules of @yecai/kingdee's table: each audited source bill named
 * becomes one target bill (saved, not audited — Push does not audit) holding, per line, the quantity not yet pushed and
 * the source bill number; the source lines' 关联数量 (FARJOINQTY / FAPJOINQTY) grow by it (反写). A source with
 * nothing left to push is refused, as is one not audited. Deleting a pushed bill gives its quantity back; a source
 * with a downstream bill cannot be un-audited (Kingdee's rule: delete the downstream bill first).
 * Where the research is silent the emulator chooses: the refusal texts, and one target per source bill (a real rule
 * may merge several sources into one target; yecai pushes one source per call).
 */
export interface PushResult {
  successes: { Id: number; Number: string; DIndex: number }[];
  errors: ErrorLine[];
}

const zero = new Decimal(0);
const dec = (value: StoredValue | undefined): Decimal => (value instanceof Decimal ? value : zero);

/** A stored field by key, matched case-insensitively like the server matches field keys. */
const field = (fields: Record<string, StoredValue>, key: string) => pick(fields, key) as StoredValue | undefined;

function modelValue(value: StoredValue | undefined): unknown {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Decimal) return value.toString();
  if (typeof value === 'object') return { FNumber: value.number };
  return value;
}

export function pushBills(state: KingdeeState, sourceFormId: string, ruleId: string, keys: { numbers: string[]; ids: number[] }, params: SaveParams): PushResult {
  const rule = conversionRule(ruleId);
  const fail = (message: string, index = 0): PushResult => ({ successes: [], errors: [{ FieldName: 'RuleId', Message: message, DIndex: index }] });
  if (!rule) return fail(`转换规则“${ruleId}”不存在`);
  if (rule.sourceFormId.toLowerCase() !== sourceFormId.toLowerCase()) return fail(`转换规则“${ruleId}”的源单是${rule.sourceFormId}，不是${sourceFormId}`);
  const source = billForm(rule.sourceFormId)!;
  const target = billForm(rule.targetFormId)!;
  const result: PushResult = { successes: [], errors: [] };
  const targets: { number?: string; id?: number }[] = keys.numbers.length > 0 ? keys.numbers.map((number) => ({ number })) : keys.ids.map((id) => ({ id }));
  targets.forEach((key, index) => {
    const bill = state.findBill(source.formId, key);
    const refuse = (message: string) => result.errors.push({ FieldName: null, Message: message, DIndex: index });
    if (!bill) return refuse(`${source.caption}“${key.number ?? key.id}”不存在`);
    const label = `单据编号为“${bill.billNo}”的${source.caption}`;
    if (bill.status !== 'C') return refuse(`${label}未审核，不能下推！`);
    const lines = bill.entries
      .map((row) => ({ row, open: dec(field(row.fields, rule.sourceQtyField)).minus(dec(field(row.fields, rule.joinQtyField))) }))
      .filter((line) => line.open.gt(zero));
    if (lines.length === 0) return refuse(`${label}已全部下推${target.caption}，没有可下推的数据！`);
    const outcome = state.saveBill(target, targetModel(rule, target, bill, lines), index, params);
    if (!outcome.ok) return result.errors.push(...outcome.errors);
    for (const { row, open } of lines) row.fields[rule.joinQtyField] = dec(field(row.fields, rule.joinQtyField)).plus(open);
    result.successes.push({ Id: outcome.id, Number: outcome.number, DIndex: index });
  });
  return result;
}

function targetModel(rule: ConversionRule, target: BillFormDef, bill: StoredBill, lines: { row: StoredBill['entries'][number]; open: Decimal }[]): Record<string, unknown> {
  const model: Record<string, unknown> = {};
  for (const [to, candidates] of Object.entries(rule.header)) {
    const value = candidates.map((from) => modelValue(field(bill.header, from))).find((candidate) => candidate !== undefined && candidate !== '');
    if (value === undefined) continue;
    const subHead = target.subHeads.find((sub) => sub.fields.some((f) => f.key.toLowerCase() === to.toLowerCase()));
    if (subHead) model[subHead.key] = { ...((model[subHead.key] as object | undefined) ?? {}), [to]: value };
    else model[to] = value;
  }
  model[target.entry.key] = lines.map(({ row, open }) => {
    const entry: Record<string, unknown> = { [rule.targetQtyField]: open.toString(), [rule.sourceBillNoField]: bill.billNo };
    for (const [to, from] of Object.entries(rule.entry)) {
      const value = modelValue(field(row.fields, from));
      if (value !== undefined) entry[to] = value;
    }
    return entry;
  });
  return model;
}

/** The bills pushed from `bill` by any rule (their lines carry its number). */
export function downstreamBills(state: KingdeeState, form: BillFormDef, bill: StoredBill): { caption: string; billNo: string }[] {
  const found: { caption: string; billNo: string }[] = [];
  for (const rule of rulesWhere('sourceFormId', form.formId)) {
    const target = billForm(rule.targetFormId)!;
    for (const candidate of state.billsOf(target.formId).values()) {
      if (candidate.entries.some((row) => field(row.fields, rule.sourceBillNoField) === bill.billNo)) found.push({ caption: target.caption, billNo: candidate.billNo });
    }
  }
  return found;
}

/** UnAudit of a source with downstream bills is refused (the message names them). */
export function downstreamProblem(state: KingdeeState, form: BillFormDef, bill: StoredBill): string | undefined {
  const found = downstreamBills(state, form, bill);
  if (found.length === 0) return undefined;
  return `已经存在下游单据（${found.map((d) => `${d.caption} ${d.billNo}`).join('、')}），不允许反审核！`;
}

/** A pushed bill is deleted: its quantities go back to the source lines it came from (反写 reversed). */
export function releasePushed(state: KingdeeState, form: BillFormDef, bill: StoredBill): void {
  for (const rule of rulesWhere('targetFormId', form.formId)) {
    const source = billForm(rule.sourceFormId)!;
    for (const row of bill.entries) {
      const sourceNo = field(row.fields, rule.sourceBillNoField);
      if (typeof sourceNo !== 'string' || sourceNo === '') continue;
      const origin = state.findBill(source.formId, { number: sourceNo });
      // The line it came from: same material (the target line carries the source's material).
      const material = field(row.fields, 'FMATERIALID');
      const materialNo = material && typeof material === 'object' && !(material instanceof Decimal) ? material.number : undefined;
      let give = dec(field(row.fields, rule.targetQtyField));
      for (const line of origin?.entries ?? []) {
        if (give.lte(zero)) break;
        const lineMaterial = field(line.fields, rule.entry.FMATERIALID ?? '');
        if (materialNo !== undefined && (!lineMaterial || typeof lineMaterial !== 'object' || lineMaterial instanceof Decimal || lineMaterial.number !== materialNo)) continue;
        const joined = dec(field(line.fields, rule.joinQtyField));
        const back = joined.lt(give) ? joined : give;
        line.fields[rule.joinQtyField] = joined.minus(back);
        give = give.minus(back);
      }
    }
  }
}

function rulesWhere(side: 'sourceFormId' | 'targetFormId', formId: string): ConversionRule[] {
  return CONVERSION_RULES.filter((rule) => rule[side].toLowerCase() === formId.toLowerCase());
}
