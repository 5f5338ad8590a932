import type jsonata from 'jsonata';

/**
 * Plain-JavaScript versions of the JSONata shapes mapping rules use most — paths (`so_id`, `$shop.deliveryOrg`),
 * literals, `&` concatenation, `=`/`!=`/`<`/`<=`/`>`/`>=`, `and`/`or`, `in [..]`, `? :` conditions and
 * `$contains` (text or regex)/`$substringBefore` (text)/`$exists`/`$string`/`$number`/`$abs` — built once per rule at load time from JSONata's own parse tree.
 *
 * A compiled function gives JSONata's result, or NOT_COMPILED whenever the values in hand could make the answers
 * differ (arrays and objects, which JSONata treats as sequences; mixed types that JSONata rejects with an error; a
 * binding that shadows a built-in function): the caller then evaluates the expression with JSONata. So the fast path
 * never changes a result or an error message, it only skips the interpreter (~100 µs per evaluation on this box).
 * Anything else in a rule is left to JSONata entirely. compile-expression.test.ts compares both over generated inputs.
 */
export const NOT_COMPILED: unique symbol = Symbol('not compiled');
type Result = unknown;
export type CompiledExpression = (input: unknown, bindings: Record<string, unknown> | undefined) => Result;
type Node = jsonata.ExprNode & Record<string, unknown>;

const FUNCTIONS = new Set(['contains', 'substringBefore', 'substring', 'exists', 'string', 'number', 'abs']);
const DECIMAL_TEXT = /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;
const COMPARISONS = new Set(['<', '<=', '>', '>=']);

/** Only a value JSONata passes through unchanged: undefined, null, string, finite number, boolean. */
function scalar(value: unknown): Result {
  if (value === undefined || value === null) return value;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : NOT_COMPILED;
    default:
      return NOT_COMPILED;
  }
}

/** JSONata `$boolean` of a scalar, with undefined as false (its `boolize`). */
function truthy(value: Result): boolean {
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  return value === true;
}

/** JSONata `$number` of a scalar; its hexadecimal/octal/binary texts and its errors are left to it. */
function toNumber(value: Result): Result {
  if (value === undefined || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && DECIMAL_TEXT.test(value)) {
    const number = Number.parseFloat(value);
    if (Number.isFinite(number)) return number;
  }
  return NOT_COMPILED;
}

/** JSONata `$string` of a scalar (numbers to 15 significant digits, like JSONata). */
function text(value: Result): Result {
  if (value === undefined || typeof value === 'string') return value;
  if (typeof value === 'number') {
    // JSONata's $string: integers as they are (a 16-digit order number keeps every digit), others to 15 significant digits.
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
  }
  if (typeof value === 'boolean' || value === null) return String(value);
  return NOT_COMPILED;
}

/** Whether the parse-tree node has nothing beyond these keys (predicates, stages, grouping… are not compiled). */
function onlyKeys(node: object, allowed: string[]): boolean {
  return Object.entries(node).every(([key, value]) => value === undefined || allowed.includes(key));
}

function compilePath(node: Node): CompiledExpression | undefined {
  const steps = node.steps as Node[] | undefined;
  if (!steps || steps.length === 0 || !onlyKeys(node, ['type', 'steps'])) return undefined;
  if (!steps.every((step) => onlyKeys(step, ['type', 'value', 'position']) && typeof step.value === 'string')) return undefined;
  const [first, ...rest] = steps as (Node & { value: string })[];
  if (first!.type === 'variable' && (first!.value === '' || first!.value === '$')) return undefined;
  if (first!.type !== 'variable' && first!.type !== 'name') return undefined;
  if (!rest.every((step) => step.type === 'name')) return undefined;
  const fromBinding = first!.type === 'variable' ? first!.value : undefined;
  const names = fromBinding === undefined ? steps.map((step) => step.value as string) : rest.map((step) => step.value);
  return (input, bindings) => {
    let current: unknown;
    if (fromBinding === undefined) current = input;
    else if (bindings && Object.hasOwn(bindings, fromBinding)) current = bindings[fromBinding];
    else return NOT_COMPILED;
    for (const name of names) {
      if (Array.isArray(current)) return NOT_COMPILED;
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<string, unknown>)[name];
    }
    return scalar(current);
  };
}

function compileFunction(node: Node): CompiledExpression | undefined {
  const procedure = node.procedure as Node | undefined;
  const args = node.arguments as Node[] | undefined;
  if (!procedure || procedure.type !== 'variable' || !args || !onlyKeys(node, ['type', 'value', 'position', 'procedure', 'arguments'])) return undefined;
  const name = procedure.value as string;
  if (!FUNCTIONS.has(name)) return undefined;
  // A regex literal (the second argument of $contains) is handled below, not evaluated as a value.
  const compiledArgs = args.map((arg) => ((arg.type as string) === 'regex' ? () => NOT_COMPILED : compileNode(arg)));
  if (compiledArgs.some((arg) => arg === undefined)) return undefined;
  const shadowed = (bindings: Record<string, unknown> | undefined) => bindings !== undefined && Object.hasOwn(bindings, name);
  if (name === 'contains') {
    const pattern = args[1];
    if (args.length !== 2 || !pattern || (pattern.type !== 'string' && (pattern.type as string) !== 'regex')) return undefined;
    const [subject] = compiledArgs as [CompiledExpression];
    let matches: (value: string) => boolean;
    if (pattern.type === 'string') {
      const token = pattern.value as string;
      matches = (value) => value.includes(token);
    } else {
      // JSONata matches a regex literal anywhere in the text; a copy without g/y keeps no state between calls.
      const literal = pattern.value as RegExp;
      const regex = new RegExp(literal.source, literal.flags.replace(/[gy]/g, ''));
      matches = (value) => regex.test(value);
    }
    return (input, bindings) => {
      if (shadowed(bindings)) return NOT_COMPILED;
      const value = subject(input, bindings);
      if (value === undefined) return undefined;
      return typeof value === 'string' ? matches(value) : NOT_COMPILED;
    };
  }
  if (name === 'substringBefore') {
    const token = args[1];
    if (args.length !== 2 || token?.type !== 'string') return undefined;
    const separator = token.value as string;
    const [subject] = compiledArgs as [CompiledExpression];
    return (input, bindings) => {
      if (shadowed(bindings)) return NOT_COMPILED;
      const value = subject(input, bindings);
      if (value === undefined) return undefined;
      if (typeof value !== 'string') return NOT_COMPILED;
      const at = value.indexOf(separator);
      return at === -1 ? value : value.slice(0, at);
    };
  }
  if (name === 'substring') {
    // Only literal, non-negative bounds (e.g. the month of a date: $substring(d, 0, 7)); JSONata counts code points.
    const bounds = args.slice(1);
    if (args.length < 2 || args.length > 3 || !bounds.every((arg) => arg.type === 'number' && Number.isInteger(arg.value) && (arg.value as number) >= 0)) return undefined;
    const [start, length] = bounds.map((arg) => arg.value as number) as [number, number | undefined];
    const [subject] = compiledArgs as [CompiledExpression];
    return (input, bindings) => {
      if (shadowed(bindings)) return NOT_COMPILED;
      const value = subject(input, bindings);
      if (value === undefined) return undefined;
      if (typeof value !== 'string') return NOT_COMPILED;
      const points = Array.from(value);
      return points.slice(start, length === undefined ? undefined : start + length).join('');
    };
  }
  if (args.length !== 1) return undefined;
  const [argument] = compiledArgs as [CompiledExpression];
  const apply: (value: Result) => Result =
    name === 'exists'
      ? (value) => value !== undefined
      : name === 'string'
        ? text
        : name === 'number'
          ? toNumber
          : (value) => (value === undefined ? undefined : typeof value === 'number' ? Math.abs(value) : NOT_COMPILED);
  return (input, bindings) => {
    if (shadowed(bindings)) return NOT_COMPILED;
    const value = argument(input, bindings);
    return value === NOT_COMPILED ? NOT_COMPILED : apply(value);
  };
}

function compileBinary(node: Node): CompiledExpression | undefined {
  const operator = node.value as string;
  const lhs = compileNode(node.lhs as Node);
  if (!lhs || !onlyKeys(node, ['type', 'value', 'position', 'lhs', 'rhs'])) return undefined;
  if (operator === 'in') {
    const list = node.rhs as Node;
    const items = list.type === 'unary' && list.value === '[' ? (list.expressions as Node[]) : [list];
    if (!items.every((item) => item.type === 'string' || item.type === 'number' || item.type === 'value')) return undefined;
    const values = items.map((item) => item.value);
    return (input, bindings) => {
      const left = lhs(input, bindings);
      if (left === NOT_COMPILED) return NOT_COMPILED;
      return left !== undefined && values.includes(left);
    };
  }
  const rhs = compileNode(node.rhs as Node);
  if (!rhs) return undefined;
  const both = (input: unknown, bindings: Record<string, unknown> | undefined): [Result, Result] | undefined => {
    const left = lhs(input, bindings);
    if (left === NOT_COMPILED) return undefined;
    const right = rhs(input, bindings);
    return right === NOT_COMPILED ? undefined : [left, right];
  };
  switch (operator) {
    case '&':
      return (input, bindings) => {
        const values = both(input, bindings);
        if (!values) return NOT_COMPILED;
        const left = values[0] === undefined ? '' : text(values[0]);
        const right = values[1] === undefined ? '' : text(values[1]);
        return left === NOT_COMPILED || right === NOT_COMPILED ? NOT_COMPILED : (left as string) + (right as string);
      };
    case '=':
    case '!=':
      return (input, bindings) => {
        const values = both(input, bindings);
        if (!values) return NOT_COMPILED;
        if (values[0] === undefined || values[1] === undefined) return false;
        return operator === '=' ? values[0] === values[1] : values[0] !== values[1];
      };
    case 'and':
    case 'or':
      return (input, bindings) => {
        const left = lhs(input, bindings);
        if (left === NOT_COMPILED) return NOT_COMPILED;
        if (operator === 'and' ? !truthy(left) : truthy(left)) return operator === 'or';
        const right = rhs(input, bindings);
        return right === NOT_COMPILED ? NOT_COMPILED : truthy(right);
      };
    default:
      if (!COMPARISONS.has(operator)) return undefined;
      return (input, bindings) => {
        const values = both(input, bindings);
        if (!values) return NOT_COMPILED;
        const [left, right] = values;
        const comparable = (value: Result) => value === undefined || typeof value === 'string' || typeof value === 'number';
        // Types JSONata rejects (booleans, null, mixed) are left to it, so its error message is the one parked.
        if (!comparable(left) || !comparable(right)) return NOT_COMPILED;
        if (left === undefined || right === undefined) return undefined;
        if (typeof left !== typeof right) return NOT_COMPILED;
        const l = left as string | number;
        const r = right as string | number;
        return operator === '<' ? l < r : operator === '<=' ? l <= r : operator === '>' ? l > r : l >= r;
      };
  }
}

function compileCondition(node: Node): CompiledExpression | undefined {
  const condition = compileNode(node.condition as Node);
  const then = compileNode(node.then as Node);
  const otherwise = node.else === undefined ? () => undefined : compileNode(node.else as Node);
  if (!condition || !then || !otherwise || !onlyKeys(node, ['type', 'position', 'condition', 'then', 'else'])) return undefined;
  return (input, bindings) => {
    const value = condition(input, bindings);
    if (value === NOT_COMPILED) return NOT_COMPILED;
    return truthy(value) ? then(input, bindings) : otherwise(input, bindings);
  };
}

function compileNode(node: Node | undefined): CompiledExpression | undefined {
  if (!node) return undefined;
  switch (node.type as string) {
    case 'string':
    case 'number':
    case 'value': {
      const value = scalar(node.value);
      return value === NOT_COMPILED ? undefined : () => value;
    }
    case 'variable': {
      const name = node.value as string;
      if (name === '' || name === '$' || !onlyKeys(node, ['type', 'value', 'position'])) return undefined;
      return (_input, bindings) => (bindings && Object.hasOwn(bindings, name) ? scalar(bindings[name]) : NOT_COMPILED);
    }
    case 'path':
      return compilePath(node);
    case 'function':
      return compileFunction(node);
    case 'binary':
      return compileBinary(node);
    case 'condition':
      return compileCondition(node);
    case 'block': {
      const expressions = node.expressions as Node[] | undefined;
      return expressions?.length === 1 && onlyKeys(node, ['type', 'position', 'expressions']) ? compileNode(expressions[0]) : undefined;
    }
    default:
      return undefined;
  }
}

/** The plain-JavaScript form of a parsed JSONata expression, or undefined when its shape is not one of the above. */
export function compileJsonata(expression: jsonata.Expression): CompiledExpression | undefined {
  return compileNode(expression.ast() as Node);
}
