import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import jsonata from 'jsonata';
import { parse as parseYaml } from 'yaml';
import { ValidationError, parseWith } from '@yecai/common';
import { isSourceScoped } from '@yecai/master-data';
import { loadCanonicalSchema } from '@yecai/contracts';
import { canonicalFields, type CanonicalField } from './avro-fields';
import { registerRuleFunctions } from './rule-functions';
import { compileJsonata, type CompiledExpression } from './compile-expression';
import { lotPolicySchema, ruleFileSchema, type FieldSpec, type FilterSpec, type LookupSpec, type LotPolicySpec, type RuleFile } from './rule-schema';

export const RULES_DIR = join(__dirname, '..', '..', 'rules');

/** Fields the engine fills itself on every canonical event. */
export const ENGINE_FIELDS = new Set(['source', 'mapping']);

export interface CompiledField {
  name: string;
  spec: FieldSpec;
  target: CanonicalField;
  expression?: RuleExpression;
  path?: string[];
  /** The source's lot policy, for a field with `policy: lot`. */
  lot?: CompiledLotPolicy;
}

/** A source's lot policy as written (plain data, what a transform worker compiles again). */
export interface LotPolicySource {
  file: string;
  spec: LotPolicySpec;
  /** First 8 hex of the policy file's sha256: part of the ruleVersion of every flow applying it. */
  hash: string;
}

export interface CompiledLotPolicy extends LotPolicySource {
  derive?: RuleExpression;
}

export interface CompiledLookup {
  name: string;
  spec: LookupSpec;
  key: RuleExpression;
}

export interface CompiledFilter {
  spec: FilterSpec;
  keep: RuleExpression;
}

export interface CompiledScope {
  /** Values of canonical fields the rule does not map: null when nullable, false for booleans. */
  defaults: Record<string, unknown>;
  filters: CompiledFilter[];
  lookups: CompiledLookup[];
  fields: CompiledField[];
}

/** A line scope: its source array (a path in the parent, or an expression) and, once, nested lines. */
export interface CompiledLines extends CompiledScope {
  target: string;
  /** The source array as written in the rule (a path, or a JSONata expression starting with `$`). */
  fromText: string;
  from: RuleExpression;
  lines?: CompiledLines;
}

export interface CompiledRule {
  file: string;
  rule: RuleFile;
  /** `<version>+<first 8 hex of the file's sha256>`: traced on every event. */
  ruleVersion: string;
  header: CompiledScope;
  /** One event per element of this source array (see rule-schema `each`). */
  each?: { from: string[]; id: string[] };
  lines?: CompiledLines;
  /** The source's lot policy when a field of the rule applies it. */
  lotPolicy?: LotPolicySource;
}

/**
 * What the engine calls: the JSONata expression, plus its plain-JavaScript form when the expression has one of the
 * common shapes (compile-expression.ts); `fast` answers NOT_COMPILED when JSONata must decide.
 */
export interface RuleExpression {
  evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
  fast?: CompiledExpression;
}

function readPathOf(root: unknown, path: string[]): unknown {
  let current = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function compileExpression(text: string, where: string): RuleExpression {
  try {
    const full = jsonata(text);
    registerRuleFunctions(full);
    const fast = compileJsonata(full);
    return { evaluate: (input, bindings) => full.evaluate(input, bindings), ...(fast ? { fast } : {}) };
  } catch (error) {
    const detail = (error as { message?: string }).message ?? String(error);
    throw new ValidationError(`${where}: invalid JSONata expression: ${detail}`, where, error);
  }
}

function compileScope(
  where: string,
  filters: FilterSpec[],
  lookups: Record<string, LookupSpec>,
  fields: Record<string, FieldSpec>,
  targets: CanonicalField[],
  skip: Set<string>,
  lot: CompiledLotPolicy | undefined,
): CompiledScope {
  const byName = new Map(targets.map((target) => [target.name, target]));
  const compiledFields: CompiledField[] = [];
  for (const [name, spec] of Object.entries(fields)) {
    const target = byName.get(name);
    if (!target) throw new ValidationError(`${where}.fields.${name}: the canonical schema has no field "${name}"`, `${where}.fields.${name}`);
    if (spec.onNoValue === 'empty' && !target.nullable) {
      throw new ValidationError(`${where}.fields.${name}.onNoValue: "empty" on a required canonical field (use park)`, `${where}.fields.${name}.onNoValue`);
    }
    if (spec.policy === 'lot') {
      if (!lot) throw new ValidationError(`${where}.fields.${name}.policy: the source has no lot policy (rules/<source>/lot-policy.yaml)`, `${where}.fields.${name}.policy`);
      if (!lookups.sku || lookups.sku.entity !== 'sku' || lookups.sku.scope !== 'source') {
        throw new ValidationError(`${where}.fields.${name}.policy: the lot policy needs the scope's SKU lookup named sku`, `${where}.fields.${name}.policy`);
      }
      if (!target.nullable || target.type.kind !== 'string') throw new ValidationError(`${where}.fields.${name}.policy: lot goes into an optional text field`, `${where}.fields.${name}.policy`);
    }
    compiledFields.push({
      name,
      spec,
      target,
      ...(spec.expr !== undefined ? { expression: compileExpression(spec.expr, `${where}.fields.${name}.expr`) } : {}),
      ...(spec.from !== undefined ? { path: spec.from.split('.') } : {}),
      ...(spec.policy === 'lot' ? { lot } : {}),
    });
  }
  const defaults: Record<string, unknown> = {};
  for (const target of targets) {
    if (skip.has(target.name) || fields[target.name]) continue;
    if (target.nullable) {
      defaults[target.name] = null;
      continue;
    }
    if (target.type.kind === 'boolean') {
      defaults[target.name] = false;
      continue;
    }
    if (target.type.kind === 'stringArray') {
      defaults[target.name] = [];
      continue;
    }
    throw new ValidationError(`${where}.fields: required canonical field "${target.name}" has no rule`, `${where}.fields.${target.name}`);
  }
  return {
    defaults,
    filters: filters.map((spec, index) => ({ spec, keep: compileExpression(spec.keep, `${where}.filters[${index}].keep`) })),
    lookups: Object.entries(lookups).map(([name, spec]) => {
      if (spec.scope === 'kingdee' && !isSourceScoped(spec.entity)) {
        throw new ValidationError(`${where}.lookups.${name}.scope: ${spec.entity} is not kept per source system`, `${where}.lookups.${name}.scope`);
      }
      if (spec.reverse && !isSourceScoped(spec.entity)) {
        throw new ValidationError(`${where}.lookups.${name}.reverse: ${spec.entity} is not kept per source system`, `${where}.lookups.${name}.reverse`);
      }
      return { name, spec, key: compileExpression(spec.key, `${where}.lookups.${name}.key`) };
    }),
    fields: compiledFields,
  };
}

function parseYamlFile(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ValidationError(`${file}: not valid YAML: ${(error as Error).message}`, '(file)', error);
  }
}

const sha8 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/** Validates a source's lot policy file (rules/<source>/lot-policy.yaml). */
export function parseLotPolicy(text: string, file: string): LotPolicySource {
  const { lotPolicy } = parseWith(lotPolicySchema, parseYamlFile(text, file), file);
  return { file, spec: lotPolicy, hash: sha8(text) };
}

function usesLotPolicy(rule: RuleFile): boolean {
  const scopes = [rule.fields, rule.lines?.fields ?? {}, rule.lines?.lines?.fields ?? {}];
  return scopes.some((fields) => Object.values(fields).some((spec) => spec.policy === 'lot'));
}

/**
 * Validates a rule file against the rule schema *and* the canonical Avro schema it targets, and compiles it;
 * `lotPolicies` by source system (a rule applying its source's policy is versioned with the policy's hash too).
 */
export function compileRule(text: string, file: string, lotPolicies: ReadonlyMap<string, LotPolicySource> = new Map()): CompiledRule {
  const rule = parseWith(ruleFileSchema, parseYamlFile(text, file), file);
  const lotPolicy = usesLotPolicy(rule) ? lotPolicies.get(rule.source.system) : undefined;
  // The policy decides values of the rule's events, so a policy change is a new version of every rule applying it.
  const ruleVersion = `${rule.version}+${sha8(lotPolicy ? `${text}\n${lotPolicy.hash}` : text)}`;
  return compileRuleFile({ file, rule, ruleVersion, ...(lotPolicy ? { lotPolicy } : {}) });
}

/** A rule as plain data (no compiled functions): what a transform worker compiles again (see compileRuleFile). */
export interface RuleSource {
  file: string;
  rule: RuleFile;
  ruleVersion: string;
  lotPolicy?: LotPolicySource;
}

export function ruleSource(compiled: CompiledRule): RuleSource {
  return { file: compiled.file, rule: compiled.rule, ruleVersion: compiled.ruleVersion, ...(compiled.lotPolicy ? { lotPolicy: compiled.lotPolicy } : {}) };
}

function compileLotPolicy(source: LotPolicySource | undefined): CompiledLotPolicy | undefined {
  if (!source) return undefined;
  const derive = source.spec.derive ? compileExpression(source.spec.derive.expr, `${source.file}: lotPolicy.derive.expr`) : undefined;
  return { ...source, ...(derive ? { derive } : {}) };
}

/** Compiles a validated rule against the canonical Avro schema it targets. */
export function compileRuleFile({ file, rule, ruleVersion, lotPolicy }: RuleSource): CompiledRule {
  let schema: Record<string, unknown>;
  try {
    schema = loadCanonicalSchema(rule.target.documentType).schema;
  } catch (error) {
    throw new ValidationError(`${file}: target.documentType: ${(error as Error).message}`, 'target.documentType', error);
  }
  const targets = canonicalFields(schema as { fields: unknown[] });
  const lineTarget = rule.lines?.target;
  const lot = compileLotPolicy(lotPolicy);
  const header = compileScope(file, rule.filters, rule.lookups, rule.fields, targets, new Set([...ENGINE_FIELDS, ...(lineTarget ? [lineTarget] : [])]), lot);
  const lines = rule.lines ? compileLines(file, 'lines', rule.lines, targets, lot) : undefined;
  const each = rule.each ? { from: rule.each.from.split('.'), id: rule.each.id.split('.') } : undefined;
  return { file, rule, ruleVersion, header, ...(each ? { each } : {}), lines, ...(lotPolicy ? { lotPolicy } : {}) };
}

type LinesSpec = NonNullable<RuleFile['lines']>;

function compileLines(file: string, where: string, spec: LinesSpec | Omit<LinesSpec, 'lines'>, targets: CanonicalField[], lot: CompiledLotPolicy | undefined): CompiledLines {
  const target = targets.find((candidate) => candidate.name === spec.target);
  if (!target || target.type.kind !== 'records') {
    throw new ValidationError(`${file}: ${where}.target: "${spec.target}" is not an array of records in the canonical schema`, `${where}.target`);
  }
  const nested = 'lines' in spec ? spec.lines : undefined;
  const fields = target.type.fields;
  const from = spec.from.trim();
  return {
    ...compileScope(`${file} ${where}`, spec.filters, spec.lookups, spec.fields, fields, new Set(nested ? [nested.target] : []), lot),
    target: spec.target,
    fromText: from,
    from: from.startsWith('$') ? compileExpression(from, `${file}: ${where}.from`) : pathExpression(from),
    ...(nested ? { lines: compileLines(file, `${where}.lines`, nested, fields, lot) } : {}),
  };
}

/** A plain field path read from the input, never through JSONata (arrays stay arrays, even of one element). */
function pathExpression(text: string): RuleExpression {
  const path = text.split('.');
  return { evaluate: async (input) => readPathOf(input, path), fast: (input) => readPathOf(input, path) };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}

/** A lot policy file is named lot-policy.yaml; every other YAML file is a flow rule. */
const isLotPolicyFile = (path: string) => /(^|[\\/])lot-policy\.ya?ml$/.test(path);

/** The lot policies under `dir`, by source system (one per source). */
export function loadLotPolicies(dir = RULES_DIR): Map<string, LotPolicySource> {
  const policies = new Map<string, LotPolicySource>();
  for (const path of yamlFiles(dir).filter(isLotPolicyFile)) {
    const policy = parseLotPolicy(readFileSync(path, 'utf8'), relative(dir, path));
    const existing = policies.get(policy.spec.source);
    if (existing) throw new ValidationError(`${policy.file}: source "${policy.spec.source}" already has a lot policy (${existing.file})`, 'lotPolicy.source');
    policies.set(policy.spec.source, policy);
  }
  return policies;
}

/** Loads every rule file under `dir` (default services/mapping/rules); one bad file stops the load, naming it. */
export function loadRules(dir = RULES_DIR): CompiledRule[] {
  const lotPolicies = loadLotPolicies(dir);
  const rules = yamlFiles(dir)
    .filter((path) => !isLotPolicyFile(path))
    .map((path) => compileRule(readFileSync(path, 'utf8'), relative(dir, path), lotPolicies));
  const flows = new Set<string>();
  for (const compiled of rules) {
    if (flows.has(compiled.rule.flow)) throw new ValidationError(`${compiled.file}: flow "${compiled.rule.flow}" is defined twice`, 'flow');
    flows.add(compiled.rule.flow);
  }
  return rules;
}
