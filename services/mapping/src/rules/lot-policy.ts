import type { CompiledLotPolicy, RuleExpression } from './load-rules';

/** What the lot policy needs of the line being mapped; the engine supplies evaluation and master-data reads. */
export interface LotInputs {
  /** The source line (its batch fields are read by name). */
  input: unknown;
  /** The line's `$sku` binding: its batchRule / fixedBatch override the policy. */
  sku: Record<string, unknown> | null | undefined;
  /** The line's SKU code as already mapped (for messages when `$sku` is absent). */
  lineSku: unknown;
  /** Evaluates the policy's derivation (may throw the engine's wait-for-value signal). */
  derive: (expression: RuleExpression) => unknown;
  /** The pulled Kingdee record of a material (`kingdee/<number>`), null when not pulled. */
  kingdeeMaterial: (material: string) => Record<string, unknown> | null;
}

export type LotDecision =
  /** The lot (null = no lot), or a value of the wrong type that coercion will name. */
  | { kind: 'lot'; value: unknown }
  /** The policy yields nothing and says park (onNoValue: park). */
  | { kind: 'noValue'; skuCode: string; material: string }
  /** No lot for a material Kingdee batch-manages: it would fail in Kingdee as 库存不足. */
  | { kind: 'lotRequired'; skuCode: string; material: string };

/**
 * The 批号 of a line by the source's lot policy (rule-schema.ts lotPolicySchema): the SKU's batchRule (none / fixed),
 * else the line's batch, else the derivation; no value → the policy's onNoValue; no lot for a material Kingdee
 * batch-manages → lotRequired, so the document parks instead of failing in Kingdee.
 */
export function decideLot(policy: CompiledLotPolicy, line: LotInputs): LotDecision {
  const { sku } = line;
  const batchRule = (sku?.batchRule as string | undefined) ?? 'flow';
  const skuCode = String(sku?.skuCode ?? line.lineSku ?? '');
  const material = sku?.materialNumber === undefined ? '' : String(sku.materialNumber);
  let lot: unknown;
  if (batchRule === 'none') lot = '';
  else if (batchRule === 'fixed') lot = sku?.fixedBatch;
  else {
    for (const name of policy.spec.sourceBatch.fields) {
      const batch = (line.input as Record<string, unknown> | null)?.[name];
      if ((typeof batch === 'string' || typeof batch === 'number') && String(batch).trim() !== '') {
        lot = String(batch).trim();
        break;
      }
    }
    if (lot === undefined && batchRule === 'flow' && policy.derive) lot = line.derive(policy.derive);
  }
  if (lot === undefined || lot === null) {
    if (policy.spec.onNoValue === 'park') return { kind: 'noValue', skuCode, material };
    lot = '';
  }
  if (typeof lot !== 'string' && typeof lot !== 'number') return { kind: 'lot', value: lot };
  const text = String(lot);
  if (text === '' && material !== '') {
    // Kingdee keeps stock of a batch-managed material per lot: without one the bill fails (库存不足) in Kingdee.
    const kingdeeMaterial = line.kingdeeMaterial(material);
    if (kingdeeMaterial && kingdeeMaterial.batchRule !== 'none') return { kind: 'lotRequired', skuCode, material };
  }
  return { kind: 'lot', value: text === '' ? null : text };
}
