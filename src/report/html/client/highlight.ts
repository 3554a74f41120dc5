/** SQL syntax highlighting: a small tokenizer of its own (strings, quoted names, comments, numbers, placeholders, keywords). */
import { el } from './dom.js';

const KEYWORDS = new Set(
  (
    'select from where and or not in any all as on join inner left right full outer cross lateral using group by order ' +
    'having limit offset distinct insert into values update set delete returning with recursive union except intersect ' +
    'case when then else end is null true false like ilike between exists asc desc nulls first last conflict do nothing ' +
    'begin commit rollback create table index alter drop filter over partition window count sum avg min max coalesce cast copy'
  ).split(' '),
);

// one alternation, tried in order at each position: comment, string, quoted name, dollar quote, placeholder, number, word
const TOKEN =
  /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|((?:[EeBbXxNn]|U&)?'(?:[^'\\]|''|\\[\s\S])*(?:'|$))|("(?:[^"]|"")*(?:"|$))|(\$[A-Za-z_]*\$[\s\S]*?(?:\$[A-Za-z_]*\$|$))|(\$\d+|\?|:[A-Za-z_]\w*|%\([^)]*\)s|%s)|(\b\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b)|([A-Za-z_][A-Za-z0-9_$]*)/g;

export function highlightSql(sql: string): HTMLElement {
  const code = el('code', { class: 'sql' });
  let at = 0;
  for (const m of sql.matchAll(TOKEN)) {
    const i = m.index;
    if (i > at) code.append(sql.slice(at, i));
    const [text, comment, str, ident, dollar, param, number, word] = m;
    let cls: string | null = null;
    if (comment !== undefined) cls = 'tok-comment';
    else if (str !== undefined || dollar !== undefined) cls = 'tok-string';
    else if (ident !== undefined) cls = 'tok-ident';
    else if (param !== undefined) cls = 'tok-param';
    else if (number !== undefined) cls = 'tok-number';
    else if (word !== undefined && KEYWORDS.has(word.toLowerCase())) cls = 'tok-keyword';
    code.append(cls === null ? text : el('span', { class: cls }, text));
    at = i + text.length;
  }
  if (at < sql.length) code.append(sql.slice(at));
  return code;
}
