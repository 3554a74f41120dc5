/** Prints pgsql-ast-parser ASTs as readable one-line PostgreSQL (its own toSql over-parenthesizes and quotes ANY as "any"). */
import type { DataTypeDef, Expr, From, OrderByStatement, QName, SelectedColumn, Statement } from 'pgsql-ast-parser';
import { astLib } from './ast-lib.js';
import { RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS } from '../sql/keywords.js';

/** Thrown for a node this printer does not know and toSql cannot print either; the rewrite is then dropped. */
export class PrintError extends Error {}

const PLAIN_IDENT = /^[a-z_][a-z0-9_$]*$/;

/** An identifier as PostgreSQL needs it: bare when it folds to itself and is no reserved word. */
export function ident(name: string): string {
  if (PLAIN_IDENT.test(name) && !RESERVED_KEYWORDS.has(name) && !TYPE_FUNC_NAME_KEYWORDS.has(name)) return name;
  return '"' + name.replace(/"/g, '""') + '"';
}

function qname(n: QName): string {
  return (n.schema ? ident(n.schema) + '.' : '') + ident(n.name);
}

/** A text value as a string literal; control characters go through E'' escapes so the rewrite stays on one line. */
export function stringLiteral(v: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f]/.test(v)) {
    const body = v.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    // eslint-disable-next-line no-control-regex
    return "E'" + body.replace(/[\x00-\x1f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')) + "'";
  }
  return "'" + v.replace(/'/g, "''") + "'";
}

export function dataType(t: DataTypeDef): string {
  if (t.kind === 'array') return dataType(t.arrayOf) + '[]';
  const name = (t.schema ? ident(t.schema) + '.' : '') + (t.doubleQuoted ? '"' + t.name.replace(/"/g, '""') + '"' : t.name);
  return name + (t.config?.length ? `(${t.config.join(', ')})` : '');
}

// binding strength, loosest first, as PostgreSQL's grammar ranks them
const PREC: Record<string, number> = {
  OR: 1,
  AND: 2,
  NOT: 3,
  'IS NULL': 4,
  'IS NOT NULL': 4,
  'IS TRUE': 4,
  'IS FALSE': 4,
  'IS NOT TRUE': 4,
  'IS NOT FALSE': 4,
  '=': 5,
  '!=': 5,
  '<': 5,
  '>': 5,
  '<=': 5,
  '>=': 5,
  LIKE: 6,
  'NOT LIKE': 6,
  ILIKE: 6,
  'NOT ILIKE': 6,
  IN: 6,
  'NOT IN': 6,
  BETWEEN: 6,
  'NOT BETWEEN': 6,
  '+': 8,
  '-': 8,
  '*': 9,
  '/': 9,
  '%': 9,
  'AT TIME ZONE': 11,
};
const OTHER_OP = 7;
const ATOM = 100;

function precOf(e: Expr): number {
  switch (e.type) {
    case 'binary':
      return PREC[e.op] ?? OTHER_OP;
    case 'unary':
      return e.op === '-' || e.op === '+' ? 10 : (PREC[e.op] ?? OTHER_OP);
    case 'ternary':
      return PREC[e.op]!;
    default:
      return ATOM;
  }
}

/** `e` printed so it binds at least as tightly as `min` needs; parentheses only where the grammar needs them. */
function sub(e: Expr, min: number): string {
  const s = expr(e);
  return precOf(e) < min ? `(${s})` : s;
}

export function expr(e: Expr): string {
  switch (e.type) {
    case 'ref':
      return (e.table ? qname(e.table) + '.' : '') + (e.name === '*' ? '*' : ident(e.name));
    case 'parameter':
      return e.name;
    case 'integer':
    case 'numeric':
      return String(e.value);
    case 'string':
      return stringLiteral(e.value);
    case 'boolean':
      return e.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    case 'default':
      return 'DEFAULT';
    case 'keyword':
      return e.keyword.toUpperCase();
    case 'constant':
      return `${stringLiteral(String(e.value))}::${dataType(e.dataType)}`;
    case 'cast':
      return `${sub(e.operand, ATOM)}::${dataType(e.to)}`;
    case 'binary': {
      const p = PREC[e.op] ?? OTHER_OP;
      const op = e.opSchema ? `OPERATOR(${e.opSchema}.${e.op})` : e.op;
      if ((e.op === 'IN' || e.op === 'NOT IN') && e.right.type !== 'list') return `${sub(e.left, p + 1)} ${op} (${expr(e.right)})`;
      // AND/OR chain freely; comparisons are not associative; the rest associates to the left
      const assoc = p <= 2;
      const left = sub(e.left, assoc || p >= 7 ? p : p + 1);
      const right = e.right.type === 'list' ? expr(e.right) : sub(e.right, assoc ? p : p + 1);
      return `${left} ${op} ${right}`;
    }
    case 'unary': {
      if (e.op === 'NOT') return `NOT ${sub(e.operand, 3)}`;
      if (e.op === '-' || e.op === '+') return `${e.op}${sub(e.operand, 10)}`;
      return `${sub(e.operand, 5)} ${e.op}`;
    }
    case 'ternary':
      return `${sub(e.value, 7)} ${e.op} ${sub(e.lo, 7)} AND ${sub(e.hi, 7)}`;
    case 'list':
      return `(${e.expressions.map(expr).join(', ')})`;
    case 'array':
      return `ARRAY[${e.expressions.map(expr).join(', ')}]`;
    case 'array select':
      return `ARRAY(${statement(e.select)})`;
    case 'arrayIndex':
      return `${sub(e.array, ATOM)}[${expr(e.index)}]`;
    case 'member':
      return `${sub(e.operand, ATOM)}${e.op}${typeof e.member === 'number' ? e.member : stringLiteral(e.member)}`;
    case 'extract':
      return `EXTRACT(${e.field.name} FROM ${expr(e.from)})`;
    case 'case':
      return (
        'CASE' +
        (e.value ? ' ' + expr(e.value) : '') +
        e.whens.map((w) => ` WHEN ${expr(w.when)} THEN ${expr(w.value)}`).join('') +
        (e.else ? ` ELSE ${expr(e.else)}` : '') +
        ' END'
      );
    case 'call':
      return call(e);
    case 'select':
    case 'union':
    case 'union all':
    case 'values':
    case 'with':
    case 'with recursive':
      return `(${statement(e)})`;
    default:
      return fallback(() => astLib().toSql.expr(e));
  }
}

function call(e: Extract<Expr, { type: 'call' }>): string {
  const fn = e.function.name.toLowerCase();
  // pgsql-ast-parser reads `= ANY(x)` as a call of a function named "any"
  if (!e.function.schema && (fn === 'any' || fn === 'all' || fn === 'some') && e.args.length === 1) return `${fn.toUpperCase()}(${expr(e.args[0]!)})`;
  const name = (e.function.schema ? ident(e.function.schema) + '.' : '') + (PLAIN_IDENT.test(e.function.name) ? e.function.name : ident(e.function.name));
  let args = e.args.map((a) => (a.type === 'ref' && a.name === '*' && !a.table ? '*' : expr(a))).join(', ');
  if (e.distinct === 'distinct') args = 'DISTINCT ' + args;
  if (e.orderBy?.length) args += ' ORDER BY ' + orderBy(e.orderBy);
  let out = `${name}(${args})`;
  if (e.withinGroup) out += ` WITHIN GROUP (ORDER BY ${orderBy([e.withinGroup])})`;
  if (e.filter) out += ` FILTER (WHERE ${expr(e.filter)})`;
  if (e.over) {
    const parts: string[] = [];
    if (e.over.partitionBy?.length) parts.push('PARTITION BY ' + e.over.partitionBy.map(expr).join(', '));
    if (e.over.orderBy?.length) parts.push('ORDER BY ' + orderBy(e.over.orderBy));
    out += ` OVER (${parts.join(' ')})`;
  }
  return out;
}

export function orderBy(items: OrderByStatement[]): string {
  return items.map((o) => expr(o.by) + (o.order ? ' ' + o.order : '') + (o.nulls ? ' NULLS ' + o.nulls : '')).join(', ');
}

function columns(cols: SelectedColumn[]): string {
  return cols.map((c) => expr(c.expr) + (c.alias ? ' AS ' + ident(c.alias.name) : '')).join(', ');
}

function from(f: From, first: boolean): string {
  let body: string;
  if (f.type === 'table') {
    body = qname(f.name) + (f.name.alias ? ' AS ' + ident(f.name.alias) : '');
    if (f.name.columnNames?.length) body += `(${f.name.columnNames.map((c) => ident(c.name)).join(', ')})`;
  } else if (f.type === 'statement') {
    body = `(${statement(f.statement)}) AS ${ident(f.alias)}`;
    if (f.columnNames?.length) body += `(${f.columnNames.map((c) => ident(c.name)).join(', ')})`;
  } else {
    body = call(f);
    if (f.withOrdinality) body += ' WITH ORDINALITY';
    if (f.alias) body += ' AS ' + ident(f.alias.name) + (f.alias.columns?.length ? `(${f.alias.columns.map((c) => ident(c.name)).join(', ')})` : '');
  }
  if (f.lateral) body = 'LATERAL ' + body;
  if (first && !f.join) return body;
  if (!f.join) return ', ' + body;
  let out = ` ${f.join.type} ${body}`;
  if (f.join.on) out += ' ON ' + expr(f.join.on);
  if (f.join.using?.length) out += ` USING (${f.join.using.map((u) => ident(u.name)).join(', ')})`;
  return out;
}

function fromList(list: From[]): string {
  return list.map((f, i) => from(f, i === 0)).join('');
}

function returning(r: SelectedColumn[] | null | undefined): string {
  return r?.length ? ' RETURNING ' + columns(r) : '';
}

/** One statement as single-line SQL. */
export function statement(s: Statement): string {
  switch (s.type) {
    case 'select': {
      let out = 'SELECT ';
      if (s.distinct === 'distinct') out += 'DISTINCT ';
      else if (Array.isArray(s.distinct)) out += `DISTINCT ON (${s.distinct.map(expr).join(', ')}) `;
      out += s.columns?.length ? columns(s.columns) : '*';
      if (s.from?.length) out += ' FROM ' + fromList(s.from);
      if (s.where) out += ' WHERE ' + expr(s.where);
      if (s.groupBy?.length) out += ' GROUP BY ' + s.groupBy.map(expr).join(', ');
      if (s.having) out += ' HAVING ' + expr(s.having);
      if (s.orderBy?.length) out += ' ORDER BY ' + orderBy(s.orderBy);
      if (s.limit?.limit) out += ' LIMIT ' + expr(s.limit.limit);
      if (s.limit?.offset) out += ' OFFSET ' + expr(s.limit.offset);
      if (s.for) out += ' FOR ' + s.for.type.toUpperCase();
      if (s.skip) out += ' ' + s.skip.type.toUpperCase();
      return out;
    }
    case 'union':
    case 'union all':
      return `${statement(s.left)} ${s.type.toUpperCase()} ${statement(s.right)}`;
    case 'values':
      return 'VALUES ' + s.values.map((row) => `(${row.map(expr).join(', ')})`).join(', ');
    case 'with':
      return 'WITH ' + s.bind.map((b) => `${ident(b.alias.name)} AS (${statement(b.statement)})`).join(', ') + ' ' + statement(s.in);
    case 'insert': {
      let out = 'INSERT INTO ' + qname(s.into) + (s.into.alias ? ' AS ' + ident(s.into.alias) : '');
      if (s.columns?.length) out += ` (${s.columns.map((c) => ident(c.name)).join(', ')})`;
      if (s.overriding) out += ` OVERRIDING ${s.overriding.toUpperCase()} VALUE`;
      out += ' ' + statement(s.insert);
      if (s.onConflict) {
        const oc = s.onConflict;
        out += ' ON CONFLICT';
        if (oc.on?.type === 'on expr') out += ` (${oc.on.exprs.map(expr).join(', ')})`;
        else if (oc.on?.type === 'on constraint') out += ' ON CONSTRAINT ' + qname(oc.on.constraint);
        if (oc.do === 'do nothing') out += ' DO NOTHING';
        else out += ' DO UPDATE SET ' + oc.do.sets.map((x) => `${ident(x.column.name)} = ${expr(x.value)}`).join(', ');
        if (oc.where) out += ' WHERE ' + expr(oc.where);
      }
      return out + returning(s.returning);
    }
    case 'update': {
      let out = 'UPDATE ' + qname(s.table) + (s.table.alias ? ' AS ' + ident(s.table.alias) : '');
      out += ' SET ' + s.sets.map((x) => `${ident(x.column.name)} = ${expr(x.value)}`).join(', ');
      if (s.from) out += ' FROM ' + from(s.from, true);
      if (s.where) out += ' WHERE ' + expr(s.where);
      return out + returning(s.returning);
    }
    case 'delete': {
      let out = 'DELETE FROM ' + qname(s.from) + (s.from.alias ? ' AS ' + ident(s.from.alias) : '');
      if (s.where) out += ' WHERE ' + expr(s.where);
      return out + returning(s.returning);
    }
    default:
      return fallback(() => astLib().toSql.statement(s));
  }
}

function fallback(f: () => string): string {
  try {
    return f();
  } catch (err) {
    throw new PrintError(String(err));
  }
}
