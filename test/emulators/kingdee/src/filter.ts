import { Decimal } from '@yecai/common';

/**
 * The FilterString subset the emulator understands: comparisons (=, <>, !=, >, >=, <, <=), LIKE / NOT LIKE,
 * IN / NOT IN (…), IS [NOT] NULL, AND / OR / NOT and parentheses; string literals in single quotes ('' escapes).
 */
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; inner: FilterNode }
  | { kind: 'compare'; field: string; op: '=' | '<>' | '>' | '>=' | '<' | '<='; value: Literal }
  | { kind: 'like'; field: string; pattern: string; negate: boolean }
  | { kind: 'in'; field: string; values: Literal[]; negate: boolean }
  | { kind: 'null'; field: string; negate: boolean };

export type Literal = { type: 'string'; value: string } | { type: 'number'; value: string };

export class FilterSyntaxError extends Error {}

type Token = { t: 'ident' | 'string' | 'number' | 'op' | 'lparen' | 'rparen' | 'comma'; v: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError('unterminated string literal');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ t: 'string', v: value });
    } else if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const match = /^-?[0-9]+(\.[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ t: 'number', v: match[0] });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))!;
      tokens.push({ t: 'ident', v: match[0] });
      i += match[0].length;
    } else if (ch === '(') {
      tokens.push({ t: 'lparen', v: ch });
      i++;
    } else if (ch === ')') {
      tokens.push({ t: 'rparen', v: ch });
      i++;
    } else if (ch === ',') {
      tokens.push({ t: 'comma', v: ch });
      i++;
    } else {
      const match = /^(<>|!=|>=|<=|=|>|<)/.exec(text.slice(i));
      if (!match) throw new FilterSyntaxError(`unexpected character '${ch}' at ${i}`);
      tokens.push({ t: 'op', v: match[0] === '!=' ? '<>' : match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

export function parseFilter(text: string): FilterNode | undefined {
  if (text.trim() === '') return undefined;
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const keyword = (word: string) => peek()?.t === 'ident' && peek()!.v.toLowerCase() === word;
  const expect = (t: Token['t']) => {
    const token = tokens[pos++];
    if (!token || token.t !== t) throw new FilterSyntaxError(`expected ${t} near ${token ? `'${token.v}'` : 'end'}`);
    return token;
  };
  const literal = (): Literal => {
    const token = tokens[pos++];
    if (token?.t === 'string') return { type: 'string', value: token.v };
    if (token?.t === 'number') return { type: 'number', value: token.v };
    throw new FilterSyntaxError(`expected a value near ${token ? `'${token.v}'` : 'end'}`);
  };

  const orExpr = (): FilterNode => {
    let left = andExpr();
    while (keyword('or')) {
      pos++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): FilterNode => {
    let left = unary();
    while (keyword('and')) {
      pos++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): FilterNode => {
    if (keyword('not')) {
      pos++;
      return { kind: 'not', inner: unary() };
    }
    if (peek()?.t === 'lparen') {
      pos++;
      const inner = orExpr();
      expect('rparen');
      return inner;
    }
    return predicate();
  };
  const predicate = (): FilterNode => {
    const field = expect('ident').v;
    let negate = false;
    if (keyword('is')) {
      pos++;
      if (keyword('not')) {
        pos++;
        negate = true;
      }
      if (!keyword('null')) throw new FilterSyntaxError('expected NULL after IS');
      pos++;
      return { kind: 'null', field, negate };
    }
    if (keyword('not')) {
      pos++;
      negate = true;
    }
    if (keyword('like')) {
      pos++;
      const pattern = literal();
      return { kind: 'like', field, pattern: pattern.value, negate };
    }
    if (keyword('in')) {
      pos++;
      expect('lparen');
      const values = [literal()];
      while (peek()?.t === 'comma') {
        pos++;
        values.push(literal());
      }
      expect('rparen');
      return { kind: 'in', field, values, negate };
    }
    if (negate) throw new FilterSyntaxError('expected LIKE or IN after NOT');
    const op = expect('op').v as '=' | '<>' | '>' | '>=' | '<' | '<=';
    return { kind: 'compare', field, op, value: literal() };
  };

  const tree = orExpr();
  if (pos < tokens.length) throw new FilterSyntaxError(`unexpected '${tokens[pos]!.v}'`);
  return tree;
}

/** Every field key a filter mentions (to resolve them before evaluating). */
export function filterFields(node: FilterNode | undefined, into: string[] = []): string[] {
  if (!node) return into;
  switch (node.kind) {
    case 'and':
    case 'or':
      filterFields(node.left, into);
      filterFields(node.right, into);
      break;
    case 'not':
      filterFields(node.inner, into);
      break;
    default:
      into.push(node.field);
  }
  return into;
}

export type CellValue = string | Decimal | boolean | number | null;

/** SQL-like comparison: numbers numerically, dates by their ISO text, strings as text. */
export function compareValues(cell: CellValue, literal: Literal): number | undefined {
  if (cell === null) return undefined;
  if (cell instanceof Decimal || typeof cell === 'number') {
    try {
      return new Decimal(cell instanceof Decimal ? cell : String(cell)).comparedTo(new Decimal(literal.value));
    } catch {
      return undefined;
    }
  }
  if (typeof cell === 'boolean') {
    const truthy = ['1', 'true'].includes(literal.value.toLowerCase());
    return cell === truthy ? 0 : 1;
  }
  let text = cell;
  let other = literal.value;
  // Dates are stored as yyyy-MM-ddTHH:mm:ss; a literal may be yyyy-MM-dd or use a space.
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && /^\d{4}-\d{2}-\d{2}/.test(other)) {
    other = normaliseDate(other) ?? other;
    text = text.slice(0, 19);
  }
  return text < other ? -1 : text > other ? 1 : 0;
}

export function normaliseDate(value: string): string | undefined {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$/.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  const pad = (part: string | undefined) => (part ?? '0').padStart(2, '0');
  const iso = `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}`;
  return Number.isNaN(Date.parse(`${iso}Z`)) ? undefined : iso;
}

function likeToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${escaped}$`, 'is');
}

export function evaluateFilter(node: FilterNode | undefined, get: (field: string) => CellValue): boolean {
  if (!node) return true;
  switch (node.kind) {
    case 'and':
      return evaluateFilter(node.left, get) && evaluateFilter(node.right, get);
    case 'or':
      return evaluateFilter(node.left, get) || evaluateFilter(node.right, get);
    case 'not':
      return !evaluateFilter(node.inner, get);
    case 'null': {
      const value = get(node.field);
      const isNull = value === null || value === '';
      return node.negate ? !isNull : isNull;
    }
    case 'like': {
      const value = get(node.field);
      const matches = value !== null && likeToRegExp(node.pattern).test(String(value));
      return node.negate ? !matches : matches;
    }
    case 'in': {
      const value = get(node.field);
      const found = node.values.some((literal) => compareValues(value, literal) === 0);
      return node.negate ? !found : found;
    }
    case 'compare': {
      const order = compareValues(get(node.field), node.value);
      if (order === undefined) return false;
      switch (node.op) {
        case '=':
          return order === 0;
        case '<>':
          return order !== 0;
        case '>':
          return order > 0;
        case '>=':
          return order >= 0;
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
      }
    }
  }
}
