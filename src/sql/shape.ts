/** Statement shapes from PostgreSQL's own grammar (libpg-query), computed once per template, with a token fallback. */
import { loadModule, parseSync } from 'libpg-query';
import { needsQuotes } from './keywords.js';
import { Tok, TokenBuffer, lexInto } from './lexer.js';
import { rewritePlaceholders } from './placeholders.js';

// The WASM parser must be initialized before parseSync; doing it at import keeps every caller synchronous.
await loadModule();

/** A column, with the table it belongs to when that is known. */
export interface ColumnRef {
  /**
   * The table as written (schema-qualified if it was), with an alias replaced by the table it stands for;
   * an unqualified column in a statement level that reads exactly one table gets that table; else null.
   */
  table: string | null;
  column: string;
}

/** A top-level AND-ed `col = $n` / `$n = col` / `col = ANY($n)` / `col IN ($n)` in WHERE. */
export interface KeyPredicate {
  column: ColumnRef;
  op: 'eq' | 'any';
  /** The $n number. */
  param: number;
}

export type ShapeKind =
  | 'select' | 'insert' | 'update' | 'delete' | 'begin' | 'commit' | 'rollback' | 'savepoint' | 'set' | 'show'
  | 'copy' | 'ddl' | 'utility' | 'other';

/**
 * What the rest of sqloupe needs to know about a statement. Names (tables, columns) are SQL as a person
 * would write them: lower-case bare words, double-quoted only where PostgreSQL needs it (`public."User"`).
 */
export interface Shape {
  /** libpg-query accepted it (else the fields come from tokens and are best-effort). */
  parsed: boolean;
  kind: ShapeKind;
  /** Every relation referenced (not CTE names), schema-qualified where written, in text order, deduplicated. */
  tables: string[];
  /** First FROM table of a select; target of insert/update/delete. */
  mainTable: string | null;
  keyPredicates: KeyPredicate[];
  hasWhere: boolean;
  /** A literal count, 'param' for $n, null when absent (or LIMIT ALL). FETCH FIRST n ROWS counts as limit. */
  limit: number | 'param' | null;
  offset: number | 'param' | null;
  /** The $n of a 'param' limit / offset, so a caller can read its value from the statement's constants. */
  limitParam: number | null;
  offsetParam: number | null;
  orderBy: { expr: string; desc: boolean }[];
  /** Aggregate function names in the top-level target list, in order (window calls excluded). */
  aggregates: string[];
  groupBy: boolean;
  distinct: boolean;
  distinctOn: boolean;
  returning: boolean;
  onConflict: boolean;
  insertColumns: string[] | null;
  insertFromSelect: boolean;
  /** Rows of a VALUES list (1 for a collapsed multi-row template), 0 when there is none. */
  valuesRows: number;
  updateColumns: string[] | null;
  /** JOINs plus extra comma-separated FROM items, over the whole statement. */
  joins: number;
  /** Sub-selects: sublinks (EXISTS, IN (SELECT…), scalar), FROM sub-selects and CTEs. */
  subqueries: number;
  forUpdate: boolean;
}

// libpg-query's JSON AST, read structurally: a node is `{ TypeName: { …fields } }`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type N = any;

const AGGREGATES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'array_agg', 'string_agg', 'json_agg',
  'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'json_objectagg', 'json_arrayagg', 'xmlagg', 'bit_and',
  'bit_or', 'bit_xor', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'corr',
  'covar_pop', 'covar_samp', 'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope',
  'regr_sxx', 'regr_sxy', 'regr_syy', 'percentile_cont', 'percentile_disc', 'mode', 'any_value', 'range_agg',
  'range_intersect_agg',
]);

const cache = new Map<string, Shape>();
/** Shapes cached by text; callers keep their own per template (detect/analysis.ts), so this only saves re-parses. */
const MAX_CACHED = 20_000;
let parsedCount = 0;
let failedCount = 0;

/** Shape of a normalized template; parsed once per distinct template and cached. */
export function shapeOf(template: string): Shape {
  let s = cache.get(template);
  if (s === undefined) {
    s = computeShape(template);
    // a log of ever-new statement texts must not keep every shape
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(template, s);
    if (s.parsed) parsedCount++;
    else failedCount++;
  }
  return s;
}

/** Templates parsed by shapeOf that PostgreSQL's grammar rejected (distinct ones while fewer than MAX_CACHED). */
export function templatesWithoutAst(): number {
  return failedCount;
}

/** How many distinct templates got an AST, for reporting the share. */
export function astSupport(): { templates: number; parsed: number; withoutAst: number; share: number } {
  const templates = parsedCount + failedCount;
  return { templates, parsed: parsedCount, withoutAst: failedCount, share: templates ? parsedCount / templates : 1 };
}

/** Forget cached shapes and counters (tests; a long-running follow mode between reports). */
export function resetShapeCache(): void {
  cache.clear();
  parsedCount = 0;
  failedCount = 0;
}

/** Does PostgreSQL's grammar accept `sql`? ORM placeholders are rewritten to $n first. */
export function parseCheck(sql: string): boolean {
  try {
    parseSync(rewritePlaceholders(sql));
    return true;
  } catch {
    return false;
  }
}

function emptyShape(parsed: boolean, kind: ShapeKind): Shape {
  return {
    parsed, kind, tables: [], mainTable: null, keyPredicates: [], hasWhere: false, limit: null, offset: null,
    limitParam: null, offsetParam: null, orderBy: [], aggregates: [], groupBy: false, distinct: false,
    distinctOn: false, returning: false, onConflict: false, insertColumns: null, insertFromSelect: false,
    valuesRows: 0, updateColumns: null, joins: 0, subqueries: 0, forUpdate: false,
  };
}

/**
 * Templates given to libpg-query at most: its JSON AST is walked recursively, and a template nesting ~1,500
 * parentheses parses but overflows the stack of the walk (deeper ones libpg-query refuses). Larger or deeper
 * templates get the token shape (counted as without AST).
 */
export const MAX_SHAPE_CHARS = 100_000;
export const MAX_SHAPE_DEPTH = 256;

/** Whether parentheses outside quotes nest deeper than `max` (stops as soon as they do). */
export function nestsDeeperThan(sql: string, max: number): boolean {
  let depth = 0;
  let quote = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 39 || c === 34) quote = c;
    else if (c === 40) {
      if (++depth > max) return true;
    } else if (c === 41 && depth > 0) depth--;
  }
  return false;
}

function computeShape(template: string): Shape {
  if (template.length > MAX_SHAPE_CHARS || nestsDeeperThan(template, MAX_SHAPE_DEPTH)) return tokenShape(template);
  try {
    return astShape(template);
  } catch (e) {
    // a stack overflow in the walk (or a node shape not foreseen) costs the AST, never the run
    if (e instanceof RangeError || e instanceof TypeError) return tokenShape(template);
    throw e;
  }
}

function astShape(template: string): Shape {
  let ast: N;
  try {
    ast = parseSync(rewritePlaceholders(template));
  } catch {
    return tokenShape(template);
  }
  const stmts: N[] = ast?.stmts ?? [];
  if (stmts.length === 0) return emptyShape(true, 'other');
  const first = stmts[0].stmt ?? {};
  const type = Object.keys(first)[0] ?? '';
  const body = first[type] ?? {};
  const shape = emptyShape(true, kindOf(type, body));

  // Whole-statement walk: relations (minus CTE names), joins, sub-selects.
  const ctes = new Set<string>();
  const cteMain = new Map<string, string | null>();
  const rels: { loc: number; name: string }[] = [];
  for (const st of stmts) walk(st.stmt, (node, t) => {
    if (t === 'CommonTableExpr') {
      ctes.add(node.ctename);
      const q = node.ctequery?.SelectStmt;
      if (q) cteMain.set(ident(node.ctename), firstTable(q.larg ? (q.larg.SelectStmt ?? q.larg).fromClause : q.fromClause));
      shape.subqueries++;
    } else if (t === 'RangeVar') {
      rels.push({ loc: node.location ?? 0, name: relName(node) });
    } else if (t === 'JoinExpr') shape.joins++;
    else if (t === 'SubLink' || t === 'RangeSubselect') shape.subqueries++;
    else if (t === 'SelectStmt' || t === 'UpdateStmt' || t === 'DeleteStmt') {
      const from = t === 'SelectStmt' ? node.fromClause : t === 'UpdateStmt' ? node.fromClause : node.usingClause;
      if (Array.isArray(from) && from.length > 1) shape.joins += from.length - 1;
    }
  });
  rels.sort((a, b) => a.loc - b.loc);
  for (const r of rels) if (!ctes.has(r.name) && !shape.tables.includes(r.name)) shape.tables.push(r.name);

  switch (type) {
    case 'SelectStmt':
      selectShape(shape, body);
      // FROM a CTE: the table the CTE reads from is the one that matters (`WITH x AS (SELECT … FROM a) … FROM x`).
      while (shape.mainTable !== null && cteMain.has(shape.mainTable)) {
        const next = cteMain.get(shape.mainTable)!;
        cteMain.delete(shape.mainTable);
        shape.mainTable = next;
      }
      break;
    case 'InsertStmt': {
      shape.mainTable = relName(body.relation);
      shape.insertColumns = Array.isArray(body.cols) ? body.cols.map((c: N) => ident(c.ResTarget?.name ?? '')) : null;
      const sel = body.selectStmt?.SelectStmt;
      if (sel) {
        if (Array.isArray(sel.valuesLists)) shape.valuesRows = sel.valuesLists.length;
        else shape.insertFromSelect = true;
      }
      shape.onConflict = body.onConflictClause !== undefined;
      shape.returning = hasReturning(body);
      break;
    }
    case 'UpdateStmt': {
      shape.mainTable = relName(body.relation);
      const cols: string[] = [];
      for (const t of body.targetList ?? []) {
        const name = t.ResTarget?.name;
        if (name !== undefined && !cols.includes(ident(name))) cols.push(ident(name));
      }
      shape.updateColumns = cols;
      whereShape(shape, body.whereClause, scopeOf(body.relation, body.fromClause));
      shape.returning = hasReturning(body);
      break;
    }
    case 'DeleteStmt':
      shape.mainTable = relName(body.relation);
      whereShape(shape, body.whereClause, scopeOf(body.relation, body.usingClause));
      shape.returning = hasReturning(body);
      break;
    case 'ExplainStmt': {
      // EXPLAIN keeps kind 'utility' but reports what it explains.
      const inner = body.query ?? {};
      const it = Object.keys(inner)[0];
      if (it === 'SelectStmt') {
        selectShape(shape, inner[it]);
        shape.kind = 'utility';
      }
      break;
    }
  }
  return shape;
}

function hasReturning(body: N): boolean {
  const r = body.returningClause?.exprs ?? body.returningList;
  return Array.isArray(r) && r.length > 0;
}

function kindOf(type: string, body: N): ShapeKind {
  switch (type) {
    case 'SelectStmt':
      return 'select';
    case 'InsertStmt':
      return 'insert';
    case 'UpdateStmt':
      return 'update';
    case 'DeleteStmt':
      return 'delete';
    case 'TransactionStmt':
      switch (body.kind) {
        case 'TRANS_STMT_BEGIN':
        case 'TRANS_STMT_START':
          return 'begin';
        case 'TRANS_STMT_COMMIT':
        case 'TRANS_STMT_COMMIT_PREPARED':
          return 'commit';
        case 'TRANS_STMT_ROLLBACK':
        case 'TRANS_STMT_ROLLBACK_PREPARED':
          return 'rollback';
        case 'TRANS_STMT_SAVEPOINT':
        case 'TRANS_STMT_RELEASE':
        case 'TRANS_STMT_ROLLBACK_TO':
          return 'savepoint'; // ROLLBACK TO / RELEASE do not end the transaction
        default:
          return 'utility'; // PREPARE TRANSACTION
      }
    case 'VariableSetStmt':
      return 'set'; // SET, SET LOCAL, RESET, RESET ALL
    case 'VariableShowStmt':
      return 'show';
    case 'CopyStmt':
      return 'copy';
    case 'MergeStmt':
      return 'other';
  }
  if (/^(Create|Alter|Drop|Rename|Index|Comment|Grant|Revoke|Truncate|Define|CompositeType|Reassign|Sec|AlterTable|Refresh)/.test(type)) {
    return 'ddl';
  }
  return 'utility'; // VACUUM, ANALYZE, EXPLAIN, LOCK, LISTEN/NOTIFY, DISCARD, PREPARE/EXECUTE, cursors, CALL, DO…
}

/** Visit every node (depth-first, in field order) as (fields, TypeName). */
function walk(node: N, visit: (fields: N, type: string) => void): void {
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const key of Object.keys(node)) {
    const v = node[key];
    if (v === null || typeof v !== 'object') continue;
    if (!Array.isArray(v)) {
      const c = key.charCodeAt(0);
      if (c >= 65 && c <= 90) visit(v, key);
      // Some nodes are stored unwrapped under a field name: a statement's target `relation` (a RangeVar)
      // and the branches `larg`/`rarg` of UNION / INTERSECT / EXCEPT (SelectStmts).
      else if (key === 'relation' && v.relname !== undefined) visit(v, 'RangeVar');
      else if ((key === 'larg' || key === 'rarg') && v.op !== undefined) visit(v, 'SelectStmt');
    }
    walk(v, visit);
  }
}

/** An identifier as SQL: bare when PostgreSQL would read it back unchanged, else double-quoted. */
export function ident(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !needsQuotes(name)) return name;
  return '"' + name.replaceAll('"', '""') + '"';
}

function relName(rv: N): string {
  if (!rv) return '';
  const r = rv.RangeVar ?? rv;
  const name = ident(r.relname ?? '');
  return r.schemaname ? ident(r.schemaname) + '.' + name : name;
}

/** Alias → table for one statement level, and the table an unqualified column belongs to (if only one). */
interface Scope {
  aliases: Map<string, string>;
  sole: string | null;
}

function scopeOf(target: N | null, from: N[] | undefined): Scope {
  const aliases = new Map<string, string>();
  const tables: string[] = [];
  let opaque = false; // a sub-select or function in FROM: unqualified columns may come from it
  const add = (item: N): void => {
    if (!item || typeof item !== 'object') return;
    if (item.RangeVar) {
      const name = relName(item.RangeVar);
      tables.push(name);
      const alias = item.RangeVar.alias?.aliasname;
      if (alias) aliases.set(ident(alias), name);
      else aliases.set(ident(item.RangeVar.relname), name);
    } else if (item.JoinExpr) {
      add(item.JoinExpr.larg);
      add(item.JoinExpr.rarg);
    } else opaque = true;
  };
  if (target) add({ RangeVar: target.RangeVar ?? target });
  for (const f of from ?? []) add(f);
  return { aliases, sole: !opaque && tables.length === 1 ? tables[0]! : null };
}

function columnOf(node: N, scope: Scope): ColumnRef | null {
  const c = node?.ColumnRef;
  if (!c || !Array.isArray(c.fields)) return null;
  const parts: string[] = [];
  for (const f of c.fields) {
    if (f.String?.sval === undefined) return null; // t.* and friends
    parts.push(ident(f.String.sval));
  }
  const column = parts.pop()!;
  if (parts.length === 0) return { table: scope.sole, column };
  const q = parts.join('.');
  return { table: parts.length === 1 ? (scope.aliases.get(q) ?? q) : q, column };
}

/** A $n (possibly cast: `$1::int[]`), or null. */
function paramOf(node: N): number | null {
  if (node?.ParamRef) return node.ParamRef.number;
  if (node?.TypeCast) return paramOf(node.TypeCast.arg);
  return null;
}

function whereShape(shape: Shape, where: N, scope: Scope): void {
  if (!where) return;
  shape.hasWhere = true;
  const conj: N[] = where.BoolExpr?.boolop === 'AND_EXPR' ? where.BoolExpr.args : [where];
  for (const e of conj) {
    const a = e?.A_Expr;
    if (!a || a.name?.length !== 1 || a.name[0]?.String?.sval !== '=') continue;
    if (a.kind === 'AEXPR_OP') {
      let col = columnOf(a.lexpr, scope);
      let p = paramOf(a.rexpr);
      if (!col || p === null) {
        col = columnOf(a.rexpr, scope);
        p = paramOf(a.lexpr);
      }
      if (col && p !== null) shape.keyPredicates.push({ column: col, op: 'eq', param: p });
    } else if (a.kind === 'AEXPR_OP_ANY') {
      const col = columnOf(a.lexpr, scope);
      const p = paramOf(a.rexpr);
      if (col && p !== null) shape.keyPredicates.push({ column: col, op: 'any', param: p });
    } else if (a.kind === 'AEXPR_IN') {
      // Only IN-lists that survived normalization: one parameter item.
      const items: N[] = a.rexpr?.List?.items ?? [];
      const col = columnOf(a.lexpr, scope);
      const p = items.length === 1 ? paramOf(items[0]) : null;
      if (col && p !== null) shape.keyPredicates.push({ column: col, op: 'any', param: p });
    }
  }
}

function countOf(node: N): { v: number | 'param' | null; p: number | null } {
  if (!node) return { v: null, p: null };
  const p = paramOf(node);
  if (p !== null) return { v: 'param', p };
  const c = node.A_Const;
  if (c) {
    if (c.isnull) return { v: null, p: null }; // LIMIT ALL / LIMIT NULL
    if (c.ival) return { v: c.ival.ival ?? 0, p: null };
    if (c.fval) return { v: Number(c.fval.fval), p: null };
  }
  return { v: 'param', p: null }; // an expression: bounded, value unknown
}

function selectShape(shape: Shape, sel: N): void {
  // Set operations: the first branch stands for the statement's predicates and tables.
  let core = sel;
  while (core.op && core.op !== 'SETOP_NONE' && core.larg) core = core.larg.SelectStmt ?? core.larg;
  if (Array.isArray(core.valuesLists)) shape.valuesRows = core.valuesLists.length;
  const scope = scopeOf(null, core.fromClause);
  shape.mainTable = firstTable(core.fromClause);
  whereShape(shape, core.whereClause, scope);
  const lim = countOf(sel.limitCount);
  shape.limit = lim.v;
  shape.limitParam = lim.p;
  const off = countOf(sel.limitOffset);
  shape.offset = off.v;
  shape.offsetParam = off.p;
  for (const s of sel.sortClause ?? []) {
    const sb = s.SortBy;
    if (sb) shape.orderBy.push({ expr: exprText(sb.node, scope), desc: sb.sortby_dir === 'SORTBY_DESC' });
  }
  for (const t of core.targetList ?? []) collectAggregates(t.ResTarget?.val, shape.aggregates);
  shape.groupBy = Array.isArray(core.groupClause) && core.groupClause.length > 0;
  if (Array.isArray(core.distinctClause) && core.distinctClause.length > 0) {
    const on = core.distinctClause.some((d: N) => d && Object.keys(d).length > 0);
    shape.distinctOn = on;
    shape.distinct = !on;
  }
  shape.forUpdate = Array.isArray(sel.lockingClause) && sel.lockingClause.length > 0;
}

function firstTable(from: N[] | undefined): string | null {
  let item = from?.[0];
  while (item?.JoinExpr) item = item.JoinExpr.larg;
  return item?.RangeVar ? relName(item.RangeVar) : null;
}

/** Aggregate calls in one target expression, not descending into sub-selects; window calls are not aggregates here. */
function collectAggregates(node: N, out: string[]): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const x of node) collectAggregates(x, out);
    return;
  }
  for (const key of Object.keys(node)) {
    if (key === 'SubLink') continue;
    const v = node[key];
    if (key === 'FuncCall' && v && !v.over) {
      const names: N[] = v.funcname ?? [];
      const name = names[names.length - 1]?.String?.sval;
      if (name && (AGGREGATES.has(name) || v.agg_star || v.agg_filter || v.agg_order || v.agg_within_group)) out.push(name);
    }
    if (v && typeof v === 'object') collectAggregates(v, out);
  }
}

/** A short readable rendering of an ORDER BY expression. */
function exprText(node: N, scope: Scope): string {
  if (!node || typeof node !== 'object') return '?';
  if (node.ColumnRef) {
    const fields: N[] = node.ColumnRef.fields ?? [];
    return fields.map((f) => (f.A_Star ? '*' : ident(f.String?.sval ?? ''))).join('.');
  }
  if (node.ParamRef) return '$' + node.ParamRef.number;
  if (node.A_Const) {
    const c = node.A_Const;
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.sval) return "'" + String(c.sval.sval).replaceAll("'", "''") + "'";
    if (c.fval) return String(c.fval.fval);
    return 'null';
  }
  if (node.TypeCast) {
    const names: N[] = node.TypeCast.typeName?.names ?? [];
    const tn = names.map((n) => n.String?.sval).filter((s) => s !== 'pg_catalog').join('.');
    return exprText(node.TypeCast.arg, scope) + '::' + tn;
  }
  if (node.FuncCall) {
    const f = node.FuncCall;
    const name = (f.funcname ?? []).map((n: N) => n.String?.sval).filter((s: string) => s !== 'pg_catalog').join('.');
    const args = f.agg_star ? '*' : (f.args ?? []).map((a: N) => exprText(a, scope)).join(', ');
    return `${name}(${args})`;
  }
  if (node.A_Expr) {
    const a = node.A_Expr;
    const op = a.name?.[a.name.length - 1]?.String?.sval ?? '?';
    return a.lexpr ? `${exprText(a.lexpr, scope)} ${op} ${exprText(a.rexpr, scope)}` : `${op} ${exprText(a.rexpr, scope)}`;
  }
  if (node.CoalesceExpr) return `coalesce(${(node.CoalesceExpr.args ?? []).map((a: N) => exprText(a, scope)).join(', ')})`;
  if (node.NullTest) return `${exprText(node.NullTest.arg, scope)} ${node.NullTest.nulltesttype === 'IS_NULL' ? 'is null' : 'is not null'}`;
  return '(…)';
}

// ---------------------------------------------------------------------------------------------------
// Fallback for templates the grammar rejects (truncated statements, other dialects, real syntax errors):
// what the tokens plainly show, so the statement still takes part in grouping and simple detectors.

const fbBuf = new TokenBuffer();

function tokenShape(template: string): Shape {
  lexInto(template, fbBuf);
  const words: string[] = [];
  const kinds: number[] = [];
  const texts: string[] = [];
  for (let t = 0; t < fbBuf.count; t++) {
    const k = fbBuf.kind[t]!;
    if (k === Tok.BlockComment || k === Tok.LineComment) continue;
    const text = template.slice(fbBuf.start[t], fbBuf.end[t]);
    kinds.push(k);
    texts.push(text);
    words.push(k === Tok.Word ? text.toLowerCase() : '');
  }
  const w0 = words[0] ?? '';
  const kind: ShapeKind =
    w0 === 'select' || w0 === 'with' || w0 === 'values' || w0 === 'table' ? 'select'
    : w0 === 'insert' ? 'insert'
    : w0 === 'update' ? 'update'
    : w0 === 'delete' ? 'delete'
    : w0 === 'begin' || w0 === 'start' ? 'begin'
    : w0 === 'commit' || w0 === 'end' ? 'commit'
    : w0 === 'rollback' || w0 === 'abort' ? (words[1] === 'to' ? 'savepoint' : 'rollback')
    : w0 === 'savepoint' || w0 === 'release' ? 'savepoint'
    : w0 === 'set' || w0 === 'reset' ? 'set'
    : w0 === 'show' ? 'show'
    : w0 === 'copy' ? 'copy'
    : w0 === 'create' || w0 === 'alter' || w0 === 'drop' || w0 === 'truncate' || w0 === 'grant' || w0 === 'revoke' ? 'ddl'
    : w0 === '' ? 'other'
    : 'utility';
  const shape = emptyShape(false, kind);
  // A relation name follows FROM / JOIN / INTO / UPDATE / TABLE: word or quoted, optionally schema-qualified.
  const nameAt = (i: number): [string, number] | null => {
    const part = (j: number): string | null =>
      kinds[j] === Tok.Word ? ident(words[j]!) : kinds[j] === Tok.QIdent ? ident(texts[j]!.slice(1, -1).replaceAll('""', '"')) : null;
    const a = part(i);
    if (a === null || (kinds[i] === Tok.Word && needsQuotes(words[i]!))) return null;
    if (kinds[i + 1] === Tok.Dot) {
      const b = part(i + 2);
      if (b !== null) return [a + '.' + b, i + 3];
    }
    return [a, i + 1];
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'from' || w === 'join' || w === 'into' || (w === 'update' && i === 0) || (w === 'table' && kind === 'ddl')) {
      const r = nameAt(i + 1);
      if (r) {
        if (!shape.tables.includes(r[0])) shape.tables.push(r[0]);
        if (shape.mainTable === null && (w !== 'join' || kind === 'select')) shape.mainTable = r[0];
      }
      if (w === 'join') shape.joins++;
    } else if (w === 'where') shape.hasWhere = true;
    else if (w === 'limit' || (w === 'fetch' && (words[i + 1] === 'first' || words[i + 1] === 'next'))) {
      const j = w === 'limit' ? i + 1 : i + 2;
      shape.limit = kinds[j] === Tok.Number ? Number(texts[j]) : kinds[j] === Tok.Param ? 'param' : shape.limit;
      if (kinds[j] === Tok.Param) shape.limitParam = Number(texts[j]!.slice(1));
    } else if (w === 'offset') {
      const j = i + 1;
      shape.offset = kinds[j] === Tok.Number ? Number(texts[j]) : kinds[j] === Tok.Param ? 'param' : shape.offset;
      if (kinds[j] === Tok.Param) shape.offsetParam = Number(texts[j]!.slice(1));
    } else if (w === 'returning') shape.returning = true;
    else if (w === 'conflict' && words[i - 1] === 'on') shape.onConflict = true;
    else if (w === 'group' && words[i + 1] === 'by') shape.groupBy = true;
    else if (w === 'distinct') {
      if (words[i + 1] === 'on') shape.distinctOn = true;
      else shape.distinct = true;
    } else if (w === 'for' && (words[i + 1] === 'update' || words[i + 1] === 'share' || words[i + 1] === 'no' || words[i + 1] === 'key')) {
      shape.forUpdate = true;
    } else if (w === 'select' && i > 0) shape.subqueries++;
    else if (AGGREGATES.has(w) && kinds[i + 1] === Tok.LParen && kind === 'select') shape.aggregates.push(w);
  }
  if (kind === 'insert' && words.includes('values')) shape.valuesRows = 1;
  if (kind === 'insert' && !words.includes('values') && words.includes('select')) shape.insertFromSelect = true;
  return shape;
}
