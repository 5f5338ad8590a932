import { kingdeeFormAnchor, renderKingdeeForms } from '@yecai/kingdee';
import { ENTITY_LABELS } from '@yecai/master-data';
import type { CompiledField, CompiledRule, CompiledScope, LotPolicySource } from '../rules/load-rules';
import { feeTypeSection, loadFeeTypeTables, type FeeTypeTable } from './fee-types';
import { targetSystems } from '../rules/rule-schema';

/** Text safe inside a Markdown table cell. */
function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

function scopeTables(scope: CompiledScope, heading: string): string[] {
  const out: string[] = [];
  if (scope.filters.length > 0) {
    out.push(`**${heading}同步条件 filters** — 不满足的单据/明细只计数，不同步也不挂起 (counted, not synced, not parked)`, '');
    out.push('| 条件 | 说明 | 规则表达式 |', '|---|---|---|');
    for (const filter of scope.filters) out.push(`| ${cell(filter.spec.name)} | ${cell(filter.spec.description)} | ${code(filter.spec.keep)} |`);
    out.push('');
  }
  if (scope.lookups.length > 0) {
    out.push(`**${heading}主数据对照 master-data lookups** — 找不到时单据挂起并写明缺哪一条，补录后自动重推`, '');
    out.push('| 名称 | 主数据 | 取键 | 说明 | 找不到时 |', '|---|---|---|---|---|');
    for (const lookup of scope.lookups) {
      const label = ENTITY_LABELS[lookup.spec.entity];
      out.push(
        `| \`$${lookup.name}\` | ${label.zh} ${label.en}${lookup.spec.scope === 'kingdee' ? '（金蝶拉取的 `kingdee/…` 记录）' : ''}${lookup.spec.reverse ? `（反查 reverse: ${lookup.spec.reverse.system} 记录中 \`${lookup.spec.reverse.field}\` 等于该编码的唯一一条）` : ''} | ${code(lookup.spec.key)} | ${cell(lookup.spec.label)} | ${lookup.spec.optional ? '留空' : '挂起 park'} |`,
      );
    }
    out.push('');
  }
  out.push(`**${heading}字段 fields**`, '');
  out.push('| 金蝶字段 | 标准字段 | 来源字段 | 规则 | 固定值 | 必填 | 无值时 | 备注 |', '|---|---|---|---|---|---|---|---|');
  for (const field of scope.fields) {
    const spec = field.spec;
    const lot = field.lot;
    const sourceLabel = lot ? [lot.spec.sourceBatch.label, lot.spec.derive?.label].filter(Boolean).join('；') : spec.sourceLabel;
    const source = spec.from !== undefined ? `${cell(spec.sourceLabel)} ${code(spec.from)}`.trim() : cell(sourceLabel);
    const rule = lot
      ? `[${cell(lot.spec.title)}](#${lotAnchor(lot)})`
      : spec.expr !== undefined
        ? code(spec.expr)
        : spec.from !== undefined
          ? '直接取值'
          : '';
    const fixed = spec.value !== undefined ? code(String(spec.value)) : '';
    out.push(`| ${cell(spec.label)} | \`${field.name}\` | ${source} | ${rule} | ${fixed} | ${field.target.nullable ? '' : '是'} | ${noValueText(field)} | ${cell(spec.note)} |`);
  }
  out.push('');
  return out;
}

/** Links to the Kingdee form sections of the forms a rule names (`STK_StockCountGain / STK_StockCountLoss`). */
/** A rule's target as the tables show it: the Kingdee form(s), or the OMS a reverse flow writes to. */
type Target = { kingdeeForm?: string | undefined; yonyouForm?: string | undefined; system?: string | readonly string[] | undefined; readBy?: string | undefined };
const targetText = (target: Target) =>
  target.kingdeeForm
    ? target.kingdeeForm
    : target.yonyouForm
      ? `用友 ${target.yonyouForm}`
      : target.system
      ? `${targetSystems(target).join(' / ')}（电商 OMS）`
      : `不过账，由 ${target.readBy} 读取 (no sink)`;

const sinksOf = (target: Target) => targetSystems(target).map((system) => `sink-${system}`).join(' / ');

/** Where a rule's events end up, as the flow section says it. */
function targetDetail(target: Target): string {
  if (target.kingdeeForm) return `金蝶 ${target.kingdeeForm}（字段对照 ${kingdeeFormLinks(target.kingdeeForm)}）`;
  if (target.yonyouForm) return `用友 ${target.yonyouForm}（由 sink-yonyou 写入 written by sink-yonyou, docs/yonyou.md）`;
  if (target.system) return `${targetText(target)}（Kingdee → OMS，由 ${sinksOf(target)} 写入 written by ${sinksOf(target)}）`;
  return `不过账到任何系统，由 ${target.readBy} 服务读取 (no sink posts it; read by ${target.readBy})`;
}

const kingdeeFormLinks = (forms: string) =>
  forms
    .split('/')
    .map((form) => `[${form.trim()}](#${kingdeeFormAnchor(form.trim())})`)
    .join(' / ');

const lotAnchor = (policy: LotPolicySource) => `${policy.spec.source}lot`;

/** What the field becomes when its rule yields no value: declared (onNoValue, or its policy's), else by the schema. */
function noValueText(field: CompiledField): string {
  const declared = field.lot?.spec.onNoValue ?? field.spec.onNoValue;
  if (declared === 'park') return '挂起 park';
  if (declared === 'empty') return '留空 empty';
  return field.target.nullable ? '' : '挂起 park';
}

/** A source's lot policy: the order in which the 批号 is decided, and what happens without one. */
function lotPolicySection(policy: LotPolicySource): string[] {
  const { spec } = policy;
  const out = [`<a id="${lotAnchor(policy)}"></a>`, `## ${cell(spec.title)}`, ''];
  out.push(`- 规则 rule: services/mapping/rules/${policy.file}；${spec.source} 所有动库存的流程的批号字段都引用它（\`policy: lot\`），批号全程一致`);
  if (spec.description) out.push(`- 说明: ${cell(spec.description)}`);
  out.push('', '| 顺序 | 条件 | 批号 |', '|---|---|---|');
  out.push('| 1 | 商品主数据批号规则 `batchRule: none` | 不启用批号（空） |');
  out.push('| 2 | 商品主数据批号规则 `batchRule: fixed` | 商品主数据的固定批号 `fixedBatch` |');
  out.push(`| 3 | 明细带${cell(spec.sourceBatch.label)}（${spec.sourceBatch.fields.map((name) => code(name)).join('、')}，取第一个非空） | 原样使用 |`);
  if (spec.derive) {
    out.push(`| 4 | 没有批次号，且批号规则为 \`flow\`（默认） | 按${cell(spec.derive.label)}推导：${code(spec.derive.expr)}${spec.derive.note ? `（${cell(spec.derive.note)}）` : ''} |`);
  }
  out.push(`| 无值 | 以上都没有结果（含批号规则 \`source\` 而明细没有批次号） | ${spec.onNoValue === 'park' ? '挂起 park（REQUIRED_VALUE_MISSING，写明字段、商品、物料）' : '留空 empty（不启用批号）'} |`);
  out.push('| 金蝶检查 | 结果为空，而金蝶主数据 `kingdee/<物料编码>` 表明该物料启用了批号管理 | 挂起 park（LOT_REQUIRED，级别 1，写明物料、商品和行），不发到金蝶 |');
  if (spec.note) out.push('', `备注: ${cell(spec.note)}`);
  out.push('');
  return out;
}

/**
 * The 《数据对接业务规范》 field-mapping document, rendered from the active rules: per flow the filters,
 * master-data lookups, and every target field with its source field, rule and fixed value.
 */
export function renderFieldMapping(rules: CompiledRule[], feeTypeTables: FeeTypeTable[] = loadFeeTypeTables()): string {
  const lines: string[] = [
    '# 字段映射规范 Field mapping',
    '',
    '<!-- Generated by `npx tsx services/mapping/src/spec-cli.ts` from services/mapping/rules/**/*.yaml and the Kingdee form maps (libs/kingdee/src/forms/maps). Do not edit by hand: change the rule files or maps, then regenerate. -->',
    '',
    '本文件由映射规则自动生成，是业务、财务、技术三方签字确认的《数据对接业务规范》的字段部分。',
    'This document is generated from the mapping rules the service runs; a rule change shows up here in review.',
    '',
    '规则表达式使用 [JSONata](https://docs.jsonata.org)。`$doc` 是整张源单据，`$shop`、`$warehouse`、`$sku` 等是主数据对照的结果。',
    '标准字段的类型与精度由 Avro 模式（libs/contracts/avro/canonical/）决定：金额 2 位小数、单价与数量 6 位小数，超出精度的值会挂起而不是被四舍五入。',
    '「无值时」写明规则没有取到值（没有结果或 null；空文本 `""` 是明确的“空”）时字段留空 empty 还是单据挂起 park：规则的 `onNoValue`，或批号策略的；没写时必填字段挂起、选填字段留空。',
    '',
    '| 流程 | 源单据 | 目标单据 target | 规则版本 |',
    '|---|---|---|---|',
    ...rules.map((compiled) => `| [${cell(compiled.rule.title)}](#${compiled.rule.flow.replace('/', '')}) | ${compiled.rule.source.system} \`${compiled.rule.source.documentType}\` | ${cell(targetText(compiled.rule.target))} | ${compiled.ruleVersion} |`),
    '',
  ];
  const policies = new Map(rules.flatMap((compiled) => (compiled.lotPolicy ? [[compiled.lotPolicy.file, compiled.lotPolicy] as const] : [])));
  for (const policy of [...policies.values()].sort((a, b) => a.file.localeCompare(b.file))) lines.push(...lotPolicySection(policy));
  for (const table of feeTypeTables) lines.push(...feeTypeSection(table));
  for (const compiled of rules) {
    const { rule } = compiled;
    lines.push(`<a id="${rule.flow.replace('/', '')}"></a>`, `## ${cell(rule.title)}`, '');
    lines.push(
      `- 规则 rule: \`${rule.flow}\` (services/mapping/rules/${compiled.file}), 版本 version ${compiled.ruleVersion}`,
      `- 源 source: ${rule.source.system} \`${rule.source.documentType}\` → 标准单据 canonical \`${rule.target.documentType}\` → ${targetDetail(rule.target)}`,
    );
    if (rule.description) lines.push(`- 说明: ${cell(rule.description)}`);
    if (rule.each) {
      lines.push(`- 逐条生成 one event per element: 源单据的 \`${rule.each.from}\` 每一条生成一条标准单据（以 \`${rule.each.id}\` 区分）；表头规则读取这一条，\`$doc\` 是整张源单据`);
    }
    lines.push('');
    lines.push(...scopeTables(compiled.header, '表头 '));
    if (compiled.lines) {
      lines.push(`### 明细 lines (源 \`${cell(compiled.lines.fromText)}\` → 标准 \`${compiled.lines.target}\`)`, '');
      lines.push(...scopeTables(compiled.lines, '明细 '));
      const nested = compiled.lines.lines;
      if (nested) {
        lines.push(`### 子明细 sub-lines (源 \`${cell(nested.fromText)}\` → 标准 \`${compiled.lines.target}[].${nested.target}\`)`, '');
        lines.push(...scopeTables(nested, '子明细 '));
      }
    }
  }
  lines.push(...renderKingdeeForms());
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
