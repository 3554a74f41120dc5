/** What every ORM format does with its events: transaction words as begin/commit/rollback, and the facts tallied for inputs[] and doctor. */
import type { EventKind, FormatContext } from '../types.js';
import { count } from '../../text/plural.js';

/** Transaction control statements become begin/commit/rollback events; everything else is a statement. */
export function txKind(sql: string): EventKind {
  let i = 0;
  while (i < sql.length && sql.charCodeAt(i) <= 32) i++;
  const c = sql.charCodeAt(i) | 32;
  if (c !== 98 && c !== 115 && c !== 99 && c !== 114 && c !== 101) return 'statement';
  let end = sql.length;
  while (end > i && (sql.charCodeAt(end - 1) <= 32 || sql.charCodeAt(end - 1) === 59)) end--;
  const w = sql.slice(i, end).toUpperCase();
  if (w === 'BEGIN' || w === 'START TRANSACTION' || w.startsWith('BEGIN ') || w.startsWith('START TRANSACTION ')) {
    // BEGIN ... END blocks of PL/pgSQL start with DO, so a leading BEGIN is a transaction start.
    return 'begin';
  }
  if (w === 'COMMIT' || w === 'END' || w === 'COMMIT TRANSACTION' || w === 'COMMIT WORK') return 'commit';
  if (w === 'ROLLBACK' || w === 'ROLLBACK TRANSACTION' || w === 'ROLLBACK WORK' || w === 'ABORT') return 'rollback';
  return 'statement';
}

/** What an ORM log turned out to carry, for `inputs[]` and doctor (counted as events go out). */
export interface OrmFacts {
  statements: number;
  transactionEvents: number;
  errors: number;
  withParams: number;
  withDurations: number;
  withRows: number;
  withCallSite: number;
  /** Statements whose SQL has `?` or `$n` placeholders but no logged values. */
  placeholdersWithoutParams: number;
  /** Lines dropped as exact timestamped repeats of the line before (two handlers printing one record). */
  doubledLines: number;
}

/** Advice every ORM format shares. */
export function sharedAdvice(f: OrmFacts): string[] {
  return f.doubledLines > 0
    ? [`${count(f.doubledLines, 'line was', 'lines were')} printed twice (two handlers or appenders for one logger, e.g. logback additivity); each was read once.`]
    : [];
}

/** Wrap a context so every emitted event is tallied into the returned facts. */
export function tallying(ctx: FormatContext): { ctx: FormatContext; facts: OrmFacts } {
  const facts: OrmFacts = {
    statements: 0,
    transactionEvents: 0,
    errors: 0,
    withParams: 0,
    withDurations: 0,
    withRows: 0,
    withCallSite: 0,
    placeholdersWithoutParams: 0,
    doubledLines: 0,
  };
  const wrapped: FormatContext = {
    file: ctx.file,
    options: ctx.options,
    skip: (line, reason) => ctx.skip(line, reason),
    emit(ev) {
      if (ev.kind === 'statement') {
        facts.statements++;
        if (ev.params !== null) facts.withParams++;
        else if (ev.sql !== null && (ev.sql.indexOf('?') >= 0 || ev.sql.indexOf('$1') >= 0)) facts.placeholdersWithoutParams++;
        if (ev.durationMs !== null) facts.withDurations++;
        if (ev.rows !== null) facts.withRows++;
        if (ev.callSite !== null) facts.withCallSite++;
      } else if (ev.kind === 'begin' || ev.kind === 'commit' || ev.kind === 'rollback') facts.transactionEvents++;
      else if (ev.kind === 'error') facts.errors++;
      ctx.emit(ev);
    },
  };
  return { ctx: wrapped, facts };
}
