/**
 * The Kingdee side of docs/field-mapping.md: per form, which canonical field fills which Save-model field and how,
 * rendered from the registry and the form maps (services/mapping/src/spec/render.ts puts it in the document).
 */
import type { FormDeclaration } from './declaration';
import { findField, type FieldDef } from './fields';
import type { DocumentMap, FieldMap, ValueField } from './form-map';
import { DOCUMENT_MAPS } from './maps';
import { formDeclaration } from './registry';

const cell = (text: string) => text.replace(/\|/g, '\\|');
const code = (text: string) => `\`${cell(text)}\``;

const TRANSFORM_TEXT: Record<ValueField['as'], string> = { text: '文本 text', ref: '引用 `{FNumber: …}`', decimal: '精确小数 decimal', bool: '是/否 true/false' };

/** Caption of `key` anywhere in the form (header, sub-headers, entry, sub-entry), else the key. */
function captionOf(form: FormDeclaration, key: string): string {
  const lists: FieldDef[][] =
    form.kind === 'master' ? [form.fields, ...form.subHeads.map((sub) => sub.fields)] : [form.header, ...form.subHeads.map((sub) => sub.fields), form.entry.fields, form.subEntry?.fields ?? [], form.secondEntry?.fields ?? []];
  const implicit: Record<string, string> = { FNumber: '编码', FName: '名称', FCreateOrgId: '创建组织', FUseOrgId: '使用组织' };
  for (const list of lists) {
    const found = findField(list, key);
    if (found) return found.caption;
  }
  return implicit[key] ?? '';
}

function rows(form: FormDeclaration, fields: FieldMap[], at: string): string[] {
  const out: string[] = [];
  for (const field of fields) {
    const key = `${at}${field.key}`;
    switch (field.kind) {
      case 'object':
        out.push(...rows(form, field.fields, `${key}.`));
        break;
      case 'entries':
        out.push(`| ${cell(form.kind === 'bill' && form.subEntry?.key === field.key ? form.subEntry.caption : form.kind === 'bill' && form.secondEntry?.key === field.key ? form.secondEntry.caption : form.kind === 'bill' ? form.entry.caption : '')} | ${code(key)} | ${code(`${field.path}[]`)} | 每个元素一行 one row per element${field.where ? `，只取 ${code(field.where.path)} = ${code(field.where.equals)}` : ''} | 至少一行 park |`);
        out.push(...rows(form, field.fields, `${key}[].`));
        break;
      case 'constant':
        out.push(`| ${cell(captionOf(form, field.key))} | ${code(key)} |  | 固定值 ${code(String(field.value))}${field.when ? `（仅当 ${code(field.when)} 有值）` : ''} |  |`);
        break;
      case 'value': {
        const source = [field.path, ...(field.or ? [field.or] : [])].map(code).join(' 否则 else ');
        const chosen = field.choose
          ? `；${Object.entries(field.choose.cases).map(([from, to]) => `${code(from)} → ${code(to)}`).join('，')}${field.choose.otherwise ? `，其他 → ${code(field.choose.otherwise)}` : ''}`
          : '';
        const custom = field.customKey ? `；字段标识可由流程 \`customFields.${field.customKey}\` 改` : '';
        out.push(`| ${cell(captionOf(form, field.key))} | ${code(key)} | ${source} | ${field.choose ? '对照 translate' : TRANSFORM_TEXT[field.as]}${chosen}${custom} | ${field.optional ? '不写 omitted' : '挂起 park'} |`);
        break;
      }
    }
  }
  return out;
}

/** Anchor of a form's section in docs/field-mapping.md. */
export const kingdeeFormAnchor = (formId: string) => `kingdee-${formId.toLowerCase()}`;

function formSection(map: DocumentMap): string[] {
  const out: string[] = [];
  for (const formMap of map.forms) {
    const form = formDeclaration(formMap.formId)!;
    out.push(`<a id="${kingdeeFormAnchor(form.formId)}"></a>`, `### ${form.caption} ${form.formId} ← 标准单据 \`${map.documentType}\``, '');
    if (form.kind === 'bill') {
      out.push(`- 单据编号字段 number field \`${form.numberField}\`（幂等键 idempotency key），主键 \`${form.pkField}\`，单据体 entry \`${form.entry.key}\`${form.subEntry ? `，子单据体 \`${form.subEntry.key}\`` : ''}${form.secondEntry ? `，第二单据体 \`${form.secondEntry.key}\`` : ''}，默认单据类型 \`${form.defaultBillType}\``);
    } else {
      out.push(`- 基础资料 base data：编码字段 number field \`${form.numberField}\`（幂等键 idempotency key），主键 \`${form.pkField}\`，在创建组织创建后分配到使用组织`);
    }
    if (formMap.description) out.push(`- 说明: ${cell(formMap.description)}`);
    if (formMap.omitWhenNoLines) out.push('- 没有符合条件的明细时不生成这张单据 (no bill of this form when no line qualifies)');
    out.push('', '| 金蝶字段 | 字段标识 | 标准字段 | 转换 | 无值时 |', '|---|---|---|---|---|');
    if (form.kind === 'bill') {
      out.push(
        `| 单据编号 | \`${form.numberField}\` | \`source\`、\`billNumber\` | 流程的 \`billNumberPattern\`（默认 \`{billNumber}\`） | 挂起 park |`,
        `| 单据类型 | \`FBillTypeID\` |  | 流程的 \`billType\`，默认 \`${form.defaultBillType}\` |  |`,
        '| 日期 | `FDate` | `date` | 文本 text | 挂起 park |',
      );
    }
    out.push(...rows(form, formMap.fields, ''), '');
  }
  return out;
}

/** The "金蝶表单" part of the field-mapping document: every mapped form, its fields and their canonical sources. */
export function renderKingdeeForms(maps: ReadonlyMap<string, DocumentMap> = DOCUMENT_MAPS): string[] {
  const out = [
    '<a id="kingdee-forms"></a>',
    '## 金蝶表单 Kingdee forms',
    '',
    '标准单据到金蝶单据的字段对照，由金蝶表单注册表和表单映射（libs/kingdee/src/forms/）生成。「无值时」：挂起 park = 事件被拒并写明字段（单据挂起）；不写 omitted = 该字段不出现在 Save 模型里。',
    'Canonical event → Kingdee Save model, generated from the form registry and form maps in libs/kingdee/src/forms/.',
    '',
  ];
  for (const map of [...maps.values()].sort((a, b) => a.documentType.localeCompare(b.documentType))) out.push(...formSection(map));
  return out;
}
