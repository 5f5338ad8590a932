import type { CanonicalDocumentType } from '@yecai/contracts';
import { documentKey } from '@yecai/kafka';
import { isSourceScoped, reverseKey, type EntityName, type MasterDataLookup } from '@yecai/master-data';
import { NOT_COMPILED } from './compile-expression';
import { decideLot } from './lot-policy';
import type { CompiledField, CompiledLines, CompiledLookup, CompiledLotPolicy, CompiledRule, CompiledScope, RuleExpression } from './load-rules';
import { coerce, readPath } from './coerce';
import { missingMasterData, noValue, park, ParkSignal, type MappedOutcome, type MappingOutcome, type MissingMasterData, type RawInput, type SameCodeUse } from './outcomes';
import { Failed, NEEDS_REPLAY, NEEDS_VALUE, Pending, Replay } from './replay';
import { ruleTargetSystems, type FinanceTarget } from './rule-schema';

export * from './outcomes';

export interface EngineOptions {
  lookup: MasterDataLookup;
  now?: () => number;
  /**
   * Entities whose missing source mapping falls back to the Kingdee record of the same code (the pulled
   * `kingdee/<code>`, e.g. JST warehouse 100004 → Kingdee stock 100004). Off (empty) by default.
   */
  sameCodeFallback?: readonly EntityName[];
  /** Told once per mapped event that used the same-code fallback (the service counts and logs it). */
  onSameCode?: (use: SameCodeUse & { flow: string; key: string }) => void;
  /** The finance system the deployment posts to: park reasons name it. Default kingdee. */
  financeTarget?: FinanceTarget;
}

/**
 * Applies the flow rules to raw documents. Pure with respect to Kafka: it returns what to emit, what was
 * filtered and what to park, and the service decides how to write them (in one transaction).
 */
export class MappingEngine {
  private readonly bySource = new Map<string, CompiledRule[]>();
  private readonly now: () => number;
  /** The replay of the run in progress (null for a first run). Runs are synchronous, so they never interleave. */
  private replay: Replay | null = null;
  /** Documents mapped, and the replayed runs they took beyond their first (see NEEDS_REPLAY). */
  readonly runs = { documents: 0, replayed: 0 };
  private readonly sameCodeFallback: ReadonlySet<EntityName>;
  /** Same-code fallbacks of the event being mapped (runs are synchronous, so this is that run's). */
  private sameCodeUses: SameCodeUse[] = [];

  constructor(
    readonly rules: CompiledRule[],
    private readonly options: EngineOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.sameCodeFallback = new Set(options.sameCodeFallback ?? []);
    for (const compiled of rules) {
      const key = `${compiled.rule.source.system}/${compiled.rule.source.documentType}`;
      this.bySource.set(key, [...(this.bySource.get(key) ?? []), compiled]);
    }
  }

  /** Raw topics (source system, document type) that some rule reads. */
  sources(): { system: string; documentType: string }[] {
    return [...this.bySource.keys()].map((key) => {
      const [system, documentType] = key.split('/') as [string, string];
      return { system, documentType };
    });
  }

  async map(raw: RawInput): Promise<MappingOutcome[]> {
    return this.mapDocument(raw);
  }

  /**
   * The outcomes of one raw document: at once when every master-data record it needs is cached and every expression
   * has a compiled form (the usual case), else a promise of the same outcomes (see NEEDS_REPLAY).
   */
  mapDocument(raw: RawInput): MappingOutcome[] | Promise<MappingOutcome[]> {
    this.runs.documents += 1;
    try {
      return this.reportSameCode(this.run(raw, null));
    } catch (error) {
      if (error !== NEEDS_REPLAY) throw error;
    }
    return this.mapWithReplay(raw).then((outcomes) => this.reportSameCode(outcomes));
  }

  /** Tells `onSameCode` about each fallback of the document's final outcomes (a fallback is never silent). */
  private reportSameCode(outcomes: MappingOutcome[]): MappingOutcome[] {
    const report = this.options.onSameCode;
    if (!report) return outcomes;
    for (const outcome of outcomes) {
      if (outcome.kind === 'mapped' && outcome.sameCode) for (const use of outcome.sameCode) report({ ...use, flow: outcome.flow, key: outcome.key });
    }
    return outcomes;
  }

  private async mapWithReplay(raw: RawInput): Promise<MappingOutcome[]> {
    const replay = new Replay();
    for (;;) {
      this.runs.replayed += 1;
      replay.tainted = false;
      try {
        const outcomes = this.run(raw, replay);
        if (!replay.tainted && !replay.pending) return outcomes;
      } catch (error) {
        if (error !== NEEDS_VALUE) throw error;
      }
      await replay.settle();
    }
  }

  private run(raw: RawInput, replay: Replay | null): MappingOutcome[] {
    this.replay = replay;
    try {
      return this.runRules(raw);
    } finally {
      this.replay = null;
    }
  }

  private runRules(raw: RawInput): MappingOutcome[] {
    const rules = this.bySource.get(`${raw.sourceSystem}/${raw.documentType}`);
    if (!rules) {
      return [
        park(
          null,
          'UNKNOWN_DOCUMENT_TYPE',
          `没有适用于 ${raw.sourceSystem}/${raw.documentType} 的映射规则`,
          `no mapping rule reads ${raw.sourceSystem}/${raw.documentType}`,
        ).parked,
      ];
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw.payload);
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('payload is not a JSON object');
    } catch (error) {
      const detail = (error as Error).message;
      return [park(null, 'MALFORMED_PAYLOAD', `原始单据不是合法的 JSON 对象：${detail}`, `raw payload is not a JSON object: ${detail}`, { field: 'payload' }).parked];
    }
    const outcomes: MappingOutcome[] = [];
    for (let index = 0; index < rules.length; index += 1) {
      const compiled = rules[index]!;
      this.replay?.startRule(index);
      try {
        outcomes.push(...this.apply(compiled, raw, payload as Record<string, unknown>));
      } catch (error) {
        if (error instanceof ParkSignal) outcomes.push(error.parked);
        else throw error;
      }
    }
    return outcomes;
  }

  /**
   * A value only a promise gives, in a replayed run: the recorded one, else its promise is started and recorded and
   * the run stops with NEEDS_VALUE (a first run gives up at once with NEEDS_REPLAY).
   */
  private recorded(start: () => Promise<unknown>): unknown {
    const replay = this.replay;
    if (!replay) throw NEEDS_REPLAY;
    if (replay.tainted) throw NEEDS_VALUE;
    if (!replay.recordedAll) return replay.next();
    return replay.wait(start());
  }

  /** The expression's value: its compiled form's when that answers (most do), else JSONata's (see NEEDS_REPLAY). */
  private evaluate(compiled: CompiledRule, expression: RuleExpression, input: unknown, bindings: Record<string, unknown>, where: string): unknown {
    if (expression.fast) {
      const value = expression.fast(input, bindings);
      if (value !== NOT_COMPILED) return value;
    }
    const value = this.recorded(() => evaluateWithJsonata(expression, input, bindings));
    if (value instanceof Failed) {
      const detail = (value.error as { message?: string }).message ?? String(value.error);
      const flow = compiled.rule.flow;
      throw park(flow, 'EXPRESSION_FAILED', `规则 ${flow} 的 ${where} 表达式出错：${detail}`, `rule ${flow}: expression for ${where} failed: ${detail}`, { field: where });
    }
    return value;
  }

  /** The master-data record (null when there is none): from the cache at once when it has it, else see NEEDS_REPLAY. */
  private record(entity: EntityName, key: string): Record<string, unknown> | null {
    const replay = this.replay;
    if (!replay) {
      const cached = this.options.lookup.getCached?.(entity, key);
      if (cached === undefined) throw NEEDS_REPLAY;
      return cached;
    }
    const memoKey = `${entity}\u0000${key}`;
    let known = replay.records.get(memoKey);
    if (known === undefined) {
      known = this.options.lookup.getCached?.(entity, key);
      replay.records.set(memoKey, known === undefined ? new Pending(this.options.lookup.get(entity, key)) : known);
    }
    if (known === undefined || known instanceof Pending) {
      replay.tainted = true;
      return null;
    }
    return known as Record<string, unknown> | null;
  }

  private filtersPass(compiled: CompiledRule, scope: CompiledScope, input: unknown, bindings: Record<string, unknown>, where: string): string | null {
    for (const filter of scope.filters) {
      const keep = this.evaluate(compiled, filter.keep, input, bindings, `${where}filter ${filter.spec.name}`);
      if (keep !== true) return filter.spec.name;
    }
    return null;
  }

  /**
   * The scope's lookups, written into `into` under their names once all are resolved (their keys are evaluated with
   * `bindings`, which holds none of them); what has no mapping is added to `missing`.
   */
  private resolveLookups(
    compiled: CompiledRule,
    lookups: CompiledLookup[],
    input: unknown,
    bindings: Record<string, unknown>,
    where: string,
    missing: MissingMasterData[],
    into: Record<string, unknown>,
  ): void {
    if (lookups.length === 0) return;
    const resolved: Record<string, unknown> = {};
    for (const lookup of lookups) {
      const keyValue = this.evaluate(compiled, lookup.key, input, bindings, `${where}lookup ${lookup.name}`);
      if (keyValue === undefined || keyValue === null || keyValue === '') {
        if (lookup.spec.optional) {
          resolved[lookup.name] = null;
          continue;
        }
        const flow = compiled.rule.flow;
        throw park(
          flow,
          'REQUIRED_VALUE_MISSING',
          `规则 ${flow} 的 ${where}lookup ${lookup.name} 没有取到主数据编码（单据的 ${lookup.spec.key} 为空）`,
          `rule ${flow}: ${where}lookup ${lookup.name} found no key in the document (${lookup.spec.key} is empty)`,
          { field: `${where}lookup ${lookup.name}` },
        );
      }
      const code = String(keyValue);
      const entity = lookup.spec.entity;
      const sourceScoped = isSourceScoped(entity);
      const reverse = lookup.spec.reverse;
      const scoped = reverse
        ? reverseKey(reverse.system, reverse.field, code)
        : !sourceScoped ? code : `${lookup.spec.scope === 'kingdee' ? 'kingdee' : compiled.rule.source.system}/${code}`;
      let record = this.record(entity, scoped);
      if (!record && !reverse && sourceScoped && lookup.spec.scope === 'source' && this.sameCodeFallback.has(entity)) {
        record = this.record(entity, `kingdee/${code}`);
        if (record && !this.sameCodeUses.some((use) => use.entity === entity && use.code === code)) this.sameCodeUses.push({ entity, code });
      }
      if (!record && !lookup.spec.optional && !missing.some((m) => m.entity === lookup.spec.entity && m.key === scoped)) {
        missing.push({ entity: lookup.spec.entity, key: scoped });
      }
      resolved[lookup.name] = record;
    }
    Object.assign(into, resolved);
  }

  private fields(
    compiled: CompiledRule,
    fields: CompiledField[],
    defaults: Record<string, unknown>,
    input: unknown,
    bindings: Record<string, unknown>,
    prefix: string,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = { ...defaults };
    for (const field of fields) {
      const where = `${prefix}${field.name}`;
      let value: unknown;
      if (field.spec.value !== undefined) value = field.spec.value;
      else if (field.path) value = readPath(input, field.path);
      else {
        try {
          value = field.lot ? this.lot(compiled, field, field.lot, input, bindings, where, out) : this.evaluate(compiled, field.expression!, input, bindings, where);
        } catch (error) {
          // A field's value feeds no other expression: the run goes on to start the other fields' (see NEEDS_VALUE).
          if (error === NEEDS_VALUE) continue;
          throw error;
        }
      }
      if ((value === undefined || value === null) && field.spec.onNoValue) {
        if (field.spec.onNoValue === 'park') throw noValue(compiled.rule.flow, where, field.spec.label, '');
        value = null;
      }
      out[field.name] = coerce(value, field.target, compiled.rule.flow, where, field.spec.label);
    }
    return out;
  }

  /** The 批号 of a line by the source's lot policy (lot-policy.ts decides; parks are raised here). Null = no lot. */
  private lot(
    compiled: CompiledRule,
    field: CompiledField,
    policy: CompiledLotPolicy,
    input: unknown,
    bindings: Record<string, unknown>,
    where: string,
    lineSoFar: Record<string, unknown>,
  ): unknown {
    const flow = compiled.rule.flow;
    const decision = decideLot(policy, {
      input,
      sku: bindings.sku as Record<string, unknown> | null | undefined,
      lineSku: lineSoFar.sku,
      derive: (expression) => this.evaluate(compiled, expression, input, bindings, where),
      kingdeeMaterial: (material) => this.record('sku', `kingdee/${material}`),
    });
    if (decision.kind === 'lot') return decision.value;
    const { skuCode, material } = decision;
    if (decision.kind === 'noValue') {
      throw noValue(flow, where, field.spec.label, `：商品 ${skuCode}（物料 ${material}）按批号策略没有批号`, `: SKU ${skuCode} (material ${material}) has no lot by the lot policy`);
    }
    // Level 1 like missing master data: data a person fixes (the source's batch or the SKU's batchRule).
    throw park(
      flow,
      'LOT_REQUIRED',
      `规则 ${flow} 字段 ${where}（${field.spec.label}）：物料 ${material}（商品 ${skuCode}）在金蝶启用了批号管理，但这一行没有批号；请在源单据补批号，或在商品主数据设置批号规则 fixed，然后重推`,
      `rule ${flow}: field ${where} (${field.spec.label}): material ${material} (SKU ${skuCode}) is batch-managed in Kingdee but the line has no lot; add the lot in the source or set the SKU's batchRule to fixed, then re-push`,
      { field: where },
    );
  }

  private apply(compiled: CompiledRule, raw: RawInput, doc: Record<string, unknown>): MappingOutcome[] {
    const flow = compiled.rule.flow;
    const source = { system: raw.sourceSystem, account: raw.account, documentType: raw.documentType, sourceId: raw.sourceId };
    if (!compiled.each) {
      const outcome = this.applyOne(compiled, raw, doc, { doc, source }, documentKey(raw));
      return [outcome];
    }
    const where = compiled.each.from.join('.');
    const elements = readPath(doc, compiled.each.from);
    if (!Array.isArray(elements) || elements.length === 0) {
      throw park(flow, 'REQUIRED_VALUE_MISSING', `单据没有 ${where}`, `document has no elements in ${where}`, { field: where });
    }
    const outcomes: MappingOutcome[] = [];
    for (const [index, element] of elements.entries()) {
      const id = readPath(element, compiled.each.id);
      if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '') {
        const field = `${where}[${index}].${compiled.each.id.join('.')}`;
        throw park(flow, 'REQUIRED_VALUE_MISSING', `${field} 没有值`, `${field} is empty`, { field });
      }
      outcomes.push(this.applyOne(compiled, raw, element, { doc, source, index }, `${documentKey(raw)}/${String(id)}`));
    }
    // One canonical event per element; a document whose every element is filtered is one filtered outcome.
    const mapped = outcomes.filter((outcome) => outcome.kind === 'mapped');
    return mapped.length > 0 ? mapped : [outcomes[0]!];
  }

  private applyOne(compiled: CompiledRule, raw: RawInput, input: unknown, base: Record<string, unknown>, key: string): MappingOutcome {
    const flow = compiled.rule.flow;
    const rejectedBy = this.filtersPass(compiled, compiled.header, input, base, '');
    if (rejectedBy) return { kind: 'filtered', flow, filter: rejectedBy };
    this.sameCodeUses = [];

    const missing: MissingMasterData[] = [];
    const headerBindings = { ...base };
    this.resolveLookups(compiled, compiled.header.lookups, input, base, '', missing, headerBindings);

    let lines: Record<string, unknown>[] | undefined;
    if (compiled.lines) {
      const mappedLines = this.lines(compiled, compiled.lines, input, headerBindings, '', missing);
      if (missing.length === 0 && mappedLines === 'all filtered') {
        return { kind: 'filtered', flow, filter: compiled.lines.filters.map((filter) => filter.spec.name).join(', ') || 'no lines' };
      }
      if (mappedLines !== 'all filtered') lines = mappedLines;
    }
    if (missing.length > 0) throw missingMasterData(flow, missing, ruleTargetSystems(compiled.rule.target, this.options.financeTarget));

    const header = this.fields(compiled, compiled.header.fields, compiled.header.defaults, input, headerBindings, '');
    const value: Record<string, unknown> = {
      source: {
        sourceSystem: raw.sourceSystem,
        account: raw.account,
        documentType: raw.documentType,
        sourceId: raw.sourceId,
        sourceModifiedAt: raw.sourceModifiedAt,
        contentHash: raw.contentHash,
        rawTopic: raw.rawTopic,
        rawPartition: raw.rawPartition,
        rawOffset: raw.rawOffset,
      },
      mapping: { flow, ruleVersion: compiled.ruleVersion, mappedAt: this.now() },
      ...header,
      ...(compiled.lines && lines ? { [compiled.lines.target]: lines } : {}),
    };
    const sameCode = this.sameCodeUses.length > 0 ? { sameCode: this.sameCodeUses } : {};
    // The one cast to the canonical type: loading checked the target type exists and every field against its Avro
    // schema, and coerce() gave each value its field's type.
    const targetDocumentType = compiled.rule.target.documentType as CanonicalDocumentType;
    return { kind: 'mapped', flow, targetDocumentType, key, value, ...sameCode } as unknown as MappedOutcome;
  }

  /**
   * Maps one line scope (and its nested lines) under `parent`. Missing master data is collected in `missing`
   * and the lines' fields are only computed when nothing is missing (the document parks listing everything).
   */
  private lines(
    compiled: CompiledRule,
    scope: CompiledLines,
    parent: unknown,
    bindings: Record<string, unknown>,
    prefix: string,
    missing: MissingMasterData[],
  ): Record<string, unknown>[] | 'all filtered' {
    const flow = compiled.rule.flow;
    const sourceLines = this.evaluate(compiled, scope.from, parent, bindings, `${prefix}${scope.target} from`);
    if (!Array.isArray(sourceLines)) {
      throw park(flow, 'REQUIRED_VALUE_MISSING', `单据没有明细 ${prefix}${scope.fromText}`, `document has no line array ${prefix}${scope.fromText}`, {
        field: `${prefix}${scope.fromText}`,
      });
    }
    // Per kept line: the line, its index and its bindings (the scope's, `line`, `index`, then the line's lookups).
    const kept: { line: unknown; index: number; bindings: Record<string, unknown> }[] = [];
    for (let index = 0; index < sourceLines.length; index += 1) {
      const line: unknown = sourceLines[index];
      const where = `${prefix}${scope.target}[${index}] `;
      const lineBindings = { ...bindings, line, index };
      if (this.filtersPass(compiled, scope, line, lineBindings, where)) continue;
      this.resolveLookups(compiled, scope.lookups, line, lineBindings, where, missing, lineBindings);
      kept.push({ line, index, bindings: lineBindings });
    }
    if (kept.length === 0) return 'all filtered';
    const nested: (Record<string, unknown>[] | 'all filtered')[] = [];
    if (scope.lines) {
      for (const { line, index, bindings: lineBindings } of kept) {
        nested.push(this.lines(compiled, scope.lines, line, lineBindings, `${prefix}${scope.target}[${index}].`, missing));
      }
    }
    if (missing.length > 0) return [];
    const out: Record<string, unknown>[] = [];
    for (let position = 0; position < kept.length; position += 1) {
      const { line, index, bindings: lineBindings } = kept[position]!;
      const values = this.fields(compiled, scope.fields, scope.defaults, line, lineBindings, `${prefix}${scope.target}[${index}].`);
      if (scope.lines) {
        const children = nested[position]!;
        values[scope.lines.target] = children === 'all filtered' ? [] : children;
      }
      out.push(values);
    }
    return out;
  }
}

/** JSONata's value of the expression (its sequences as plain arrays), or Failed with what it threw. */
async function evaluateWithJsonata(expression: RuleExpression, input: unknown, bindings: Record<string, unknown>): Promise<unknown> {
  try {
    const result = await expression.evaluate(input, bindings);
    // JSONata sequences are arrays with a marker; plain values for everything downstream.
    return Array.isArray(result) ? [...result] : result;
  } catch (error) {
    return new Failed(error);
  }
}
