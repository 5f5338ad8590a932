import jsonata from 'jsonata';
import { seededRandom } from '@yecai/common';
import { NOT_COMPILED, compileJsonata } from './compile-expression';
import { loadLotPolicies, loadRules, type CompiledRule } from './load-rules';

/** Every expression text in the shipped rules (filters, lookup keys, field expressions). */
function ruleExpressions(rules: CompiledRule[]): string[] {
  const texts: string[] = [];
  const scope = (s: { filters: { spec: { keep: string } }[]; lookups: { spec: { key: string } }[]; fields: { spec: { expr?: string } }[] }) => {
    texts.push(...s.filters.map((f) => f.spec.keep), ...s.lookups.map((l) => l.spec.key));
    for (const field of s.fields) if (field.spec.expr) texts.push(field.spec.expr);
  };
  for (const rule of rules) {
    scope(rule.header);
    for (let lines = rule.lines; lines; lines = lines.lines) scope(lines);
  }
  return [...new Set(texts)];
}

/** Shapes beyond the shipped rules, including ones the compiler must leave to JSONata. */
const EXTRA = [
  '$contains(a, /A/)', 'a', 'a.b', 'a.b.c', '$v', '$v.b', '$w.b.c', '"x"', '3', 'true', 'null', '"A" & a & 3 & b & c',
  'a = "x"', 'a != b', 'a = 1', 'a > b', 'a <= 2', 'a >= "m"', 'a < b', 'a and b', 'a or b', '(a)',
  'a in ["x", "y", 1]', 'a in "x"', '$exists(a) ? a : b', 'a ? "t" : "f"', 'a ? b', '$contains(a, "A")',
  '$contains(a, "A") ? "0" : $contains(a, "G") ? "" : null', '$substringBefore(a, "-")', '$substring(a, 0, 7)', '$substring(a, 2)', '$substring(a, 0, 7) & "/" & b', '$substring(a, -2, 1)', '$contains($exists(a) ? a : $substringBefore(b, "-"), "G") ? ""', '$string(a)', '$string(a.b)', '$abs(a)',
  '$exists($v.b)', '$contains($v.b, "x")', 'a & (b ? " " & b : "")', '$string(a) & "-" & $string(b)',
  '$contains(a, /^[12][0-9]{3}-/)', '$contains($string(a), /a/i)', '$number(a)', '$number(a) > 0', '$number(b) != 0', 'a + b', 'a[0]', '$count(a)', '$', '$$.a', 'a.b[0]', '-a',
];

const SCALARS: unknown[] = [undefined, null, '', 'x', 'A1', 'G2', 'AG', 'G1-RED-S', 'X-A', '-', 'a', 'm', 'Confirmed', '2024-01-01 10:00:00', '0', '1', '-3.50', '1e3', '0x1F', ' 2', 0, 1, -2.5, 0.1 + 0.2, 1e21, 123456789012, 999999999999999, 1e15, -1234567890123456, 2 ** 53 - 1, -0, true, false];

function generate(random: () => number, depth = 0): unknown {
  const roll = random();
  if (depth < 2 && roll < 0.12) return Array.from({ length: Math.floor(random() * 3) }, () => generate(random, depth + 1));
  if (depth < 2 && roll < 0.3) return { b: generate(random, depth + 1), c: generate(random, depth + 1) };
  return SCALARS[Math.floor(random() * SCALARS.length)];
}

/** An object of generated fields; missing keys stay missing (JSONata tells undefined from absent the same way). */
function record(random: () => number, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const value = generate(random);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

const FIELDS = ['a', 'b', 'c', 'qty', 'r_qty', 'type', 'remark', 'status', 'good_status', 'i_id', 'so_id', 'io_id', 'io_date', 'as_date', 'po_id', 'sku_id', 'shop_id', 'wms_co_id', 'link_wms_co_id', 'link_io_id', 'supplier_id'];

async function jsonataResult(expression: jsonata.Expression, input: unknown, bindings: Record<string, unknown>): Promise<{ value?: unknown; error?: string }> {
  try {
    const value = await expression.evaluate(input, bindings);
    return { value: Array.isArray(value) ? [...value] : value };
  } catch (error) {
    return { error: (error as { message?: string }).message ?? String(error) };
  }
}

describe('compiled JSONata expressions', () => {
  // The lot policies' derivations run for every stock line without a batch, so they belong on the fast path too.
  const lotDerivations = [...loadLotPolicies().values()].flatMap((policy) => (policy.spec.derive ? [policy.spec.derive.expr] : []));
  const texts = [...ruleExpressions(loadRules()), ...lotDerivations, ...EXTRA];

  it('compiles every expression of the JST rules, and all but a few shapes of the others', () => {
    const rules = loadRules();
    const notCompiled = (list: CompiledRule[]) => ruleExpressions(list).filter((text) => !compileJsonata(jsonata(text)));
    expect(notCompiled(rules.filter((rule) => rule.rule.source.system === 'jushuitan'))).toEqual([]);
    expect(lotDerivations.filter((text) => !compileJsonata(jsonata(text)))).toEqual([]);
    // Lookup tables, $replace and array constructors stay with JSONata.
    const all = ruleExpressions(rules);
    expect(notCompiled(rules).length).toBeLessThan(all.length / 5);
  });

  it('leaves shapes it does not know to JSONata', () => {
    for (const text of ['a + b', 'a[0]', '$count(a)', '$', '$$.a', '$replace(a, /A/, "")', '-a', 'a.b[0]', '[a]']) {
      expect(compileJsonata(jsonata(text))).toBeUndefined();
    }
  });

  it('gives the same result as JSONata over generated documents and bindings, or hands over to it', async () => {
    const random = seededRandom(20261123);
    let compared = 0;
    let handedOver = 0;
    for (const text of texts) {
      const expression = jsonata(text);
      const fast = compileJsonata(expression);
      if (!fast) continue;
      for (let round = 0; round < 400; round += 1) {
        const input = random() < 0.05 ? generate(random) : record(random, FIELDS);
        const bindings: Record<string, unknown> = {
          v: random() < 0.2 ? null : record(random, ['b', 'stockOrg', 'deliveryOrg', 'customerNumber', 'materialNumber', 'unit', 'kingdeeStockNumber', 'kingdeeCurrencyNumber', 'kingdeeSupplierNumber']),
          w: generate(random),
          doc: record(random, FIELDS),
          index: round,
        };
        for (const name of ['shop', 'warehouse', 'currency', 'sku', 'supplier', 'outWarehouse', 'inWarehouse']) bindings[name] = bindings.v;
        // A lookup named like a built-in function shadows it in JSONata; the compiled form must notice.
        if (random() < 0.05) bindings.contains = 'shadow';
        const expected = await jsonataResult(expression, input, bindings);
        const actual = fast(input, bindings);
        if (actual === NOT_COMPILED) {
          handedOver += 1;
          continue;
        }
        compared += 1;
        if (expected.error !== undefined || !Object.is(actual, expected.value)) {
          throw new Error(`${text} on ${JSON.stringify(input)} with ${JSON.stringify(bindings)}: compiled ${String(actual)}, JSONata ${expected.error ?? String(expected.value)}`);
        }
      }
    }
    // The guard only means something when most generated cases are answered by the compiled form.
    expect(compared).toBeGreaterThan(handedOver * 2);
  });
});
