/**
 * Seeded scenarios for `sqloupe verify`: a schema, its rows and one application loop per case, varied one
 * dimension at a time, with what a correct verify must say about it worked out from the generator's own model
 * (never from running the rewrite). The workload is run against a real PostgreSQL, whose own log is what
 * sqloupe reads (tests/verify/scenarios.test.ts).
 *
 * Dimensions: key type (integer, bigint past 2^53, uuid, text with quotes), key names (`owner_id`, a key not
 * named `<table>_id`, mixed-case quoted), table naming (plain, schema-qualified, quoted mixed-case schema and
 * table), relation (has-many with 0/1/many children per parent, belongs-to with NULL foreign keys), keys the
 * loop repeats and keys that match no row, loop kind, values as literals in the SQL or as bind parameters
 * (`DETAIL: parameters:`), values with quotes, NULLs, timestamps and numerics, and loop sizes 2, 3, 17 and 200.
 */
import { seeded as rng } from '../support/sweep.js';

export type KeyType = 'int' | 'bigint' | 'uuid' | 'text';
export type Naming = 'std' | 'odd' | 'mixed';
export type Tables = 'plain' | 'schema' | 'quoted';
export type Carriage = 'bind' | 'literal';
export type LoopKind =
  | 'has-many'
  | 'pairs'
  | 'belongs-to'
  | 'count'
  | 'sum'
  | 'max'
  | 'count-filter'
  | 'latest-desc'
  | 'latest-asc'
  | 'insert'
  | 'update'
  | 'update-key-only'
  | 'delete'
  | 'get-or-create'
  | 'get-or-create-pair'
  | 'sequence';

export interface Dims {
  key: KeyType;
  naming: Naming;
  tables: Tables;
  carriage: Carriage;
  loop: LoopKind;
  size: number;
  /** The loop asks for some keys twice. */
  dupKeys: boolean;
  /** The loop asks for keys that match no row. */
  missingKeys: boolean;
}

export interface Step {
  sql: string;
  params?: (string | null)[];
}

export interface Scenario {
  id: string;
  /** application_name of the workload's session: how the test finds the case's finding. */
  app: string;
  dims: Dims;
  /** DDL and rows, run in both databases (the one the workload changes and the one verify reads). */
  setup: string[];
  /** What the application sent, in order. */
  steps: Step[];
  /** The finding's kind ('' when no loop is reported), and the verdict's message up to the measured speed. */
  expect: { kind: string; outcome: string };
  /** Tables the case owns (for the before/after checksum). */
  owned: string[];
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const lit = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);

interface Names {
  parent: string;
  child: string;
  /** the parent's key column and the child's foreign key, as SQL. */
  pk: string;
  fk: string;
  /** the same as PostgreSQL returns them (result column names). */
  pkName: string;
  fkName: string;
  schema: string | null;
}

function names(id: string, d: Dims): Names {
  const base = { std: { pk: 'id', fk: 'owner_id' }, odd: { pk: 'code', fk: 'holder_ref' }, mixed: { pk: 'OwnerKey', fk: 'OwnerRef' } }[d.naming];
  const col = (n: string) => (d.naming === 'mixed' ? q(n) : n);
  let parent: string;
  let child: string;
  let schema: string | null = null;
  if (d.tables === 'plain') {
    parent = `owners_${id}`;
    child = `items_${id}`;
  } else if (d.tables === 'schema') {
    schema = `sc_${id}`;
    parent = `${schema}.owners`;
    child = `${schema}.items`;
  } else {
    schema = `Gen ${id.toUpperCase()}`;
    parent = `${q(schema)}.${q('Owners')}`;
    child = `${q(schema)}.${q('Item Rows')}`;
  }
  return { parent, child, pk: col(base.pk), fk: col(base.fk), pkName: base.pk, fkName: base.fk, schema };
}

function keyValue(t: KeyType, i: number): string {
  switch (t) {
    case 'int':
      return String(i);
    case 'bigint':
      return (9007199254740993n + BigInt(i)).toString();
    case 'uuid':
      return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    case 'text':
      return i % 5 === 0 ? `o'key-${i}` : `K-${String(i).padStart(3, '0')}`;
  }
}

/** Statements of a loop a finding keeps (src/findings/store.ts). */
const KEPT = 200;

const SQL_TYPE: Record<KeyType, string> = { int: 'integer', bigint: 'bigint', uuid: 'uuid', text: 'text' };

interface Child {
  id: number;
  owner: string | null;
  label: string | null;
  amount: string | null;
  at: string;
  status: string;
}

const LABELS = ["plain", "it's quoted", 'say "hi"', null, 'ünïcode ✓', 'back\\slash', '  spaced  ', ''];
const AMOUNTS = ['12.50', '0.00', null, '-3.10', '1000000.01', '7.00'];

/** The timestamp of child n: distinct for every child, so "latest" is never a tie. */
function stamp(n: number): string {
  const t = Date.UTC(2026, 0, 1, 8, 0, 0) + n * 3_600_000 + (n % 7) * 1000;
  return new Date(t).toISOString().replace('T', ' ').replace('.000Z', '+00');
}

/** The timestamp as PostgreSQL prints a timestamptz in UTC. */
const pgStamp = (s: string) => s;

export function scenario(index: number, d: Dims): Scenario {
  const id = `g${String(index).padStart(2, '0')}`;
  const r = rng(1000 + index);
  const n = names(id, d);
  const nParents = Math.max(d.size, 4);
  const parents = Array.from({ length: nParents }, (_, i) => keyValue(d.key, i + 1));
  // children per parent: 0, 1 or 2-4, in a fixed pattern with some noise from the seed
  const children: Child[] = [];
  let cid = 0;
  parents.forEach((p, i) => {
    const many = i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : 2 + Math.floor(r() * 3);
    for (let j = 0; j < many; j++) {
      cid++;
      children.push({ id: cid, owner: p, label: LABELS[cid % LABELS.length]!, amount: AMOUNTS[cid % AMOUNTS.length]!, at: stamp(cid), status: cid % 2 ? 'paid' : 'open' });
    }
  });
  // children without an owner (a nullable foreign key)
  for (let j = 0; j < 2; j++) {
    cid++;
    children.push({ id: cid, owner: null, label: 'orphan', amount: '1.00', at: stamp(cid), status: 'paid' });
  }
  const setup: string[] = [];
  if (n.schema) setup.push(`CREATE SCHEMA ${q(n.schema)}`);
  // a uuid key the server makes (DEFAULT gen_random_uuid()): a new row's key differs from run to run
  const keyDefault = d.key === 'int' ? ' GENERATED BY DEFAULT AS IDENTITY' : d.key === 'uuid' ? ' DEFAULT gen_random_uuid()' : '';
  setup.push(
    `CREATE TABLE ${n.parent} (${n.pk} ${SQL_TYPE[d.key]}${keyDefault} PRIMARY KEY, handle text NOT NULL UNIQUE, name text, created_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE ${n.child} (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, ${n.fk} ${SQL_TYPE[d.key]} REFERENCES ${n.parent} (${n.pk}), label text, amount numeric(12,2), happened_at timestamptz NOT NULL, status text NOT NULL, ref text, UNIQUE (${n.fk}, ref))`,
    `CREATE INDEX ON ${n.child} (${n.fk})`,
  );
  const handle = (i: number) => (i % 4 === 0 ? `o'hara-${i}` : `user-${i}`);
  setup.push(`INSERT INTO ${n.parent} (${n.pk}, handle, name, created_at) VALUES ${parents.map((p, i) => `(${lit(p)}, ${lit(handle(i + 1))}, ${lit(i % 5 === 2 ? null : `Owner ${i + 1}`)}, '2025-06-01 00:00:00+00')`).join(', ')}`);
  setup.push(
    `INSERT INTO ${n.child} (id, ${n.fk}, label, amount, happened_at, status) VALUES ${children.map((c) => `(${c.id}, ${lit(c.owner)}, ${lit(c.label)}, ${lit(c.amount)}, ${lit(c.at)}, ${lit(c.status)})`).join(', ')}`,
  );
  if (d.key === 'int') setup.push(`SELECT setval(pg_get_serial_sequence('${n.parent.replace(/'/g, "''")}', '${n.pkName}'), ${nParents})`);
  setup.push(`SELECT setval(pg_get_serial_sequence('${n.child.replace(/'/g, "''")}', 'id'), ${cid})`);
  setup.push(`ANALYZE ${n.parent}`, `ANALYZE ${n.child}`);

  // the keys the loop walks: size of them, some repeated, some matching nothing
  const missing = (i: number) => (d.key === 'uuid' ? `00000000-0000-4000-8000-ffff${String(i).padStart(8, '0')}` : d.key === 'text' ? `none-${i}` : d.key === 'bigint' ? (9007199254740993n + 100000n + BigInt(i)).toString() : String(100000 + i));
  const keys: string[] = [];
  for (let i = 0; keys.length < d.size; i++) {
    if (d.missingKeys && i % 4 === 3) keys.push(missing(i));
    else if (d.dupKeys && i % 5 === 4 && keys.length > 0) keys.push(keys[keys.length - 2] ?? keys[0]!);
    else keys.push(parents[i % parents.length]!);
  }
  // a uuid may reach the log in capitals (the application's own formatting)
  const sent = (k: string, i: number) => (d.key === 'uuid' && i % 2 ? k.toUpperCase() : k);
  const steps: Step[] = [];
  const call = (template: string, values: (string | null)[]): Step => {
    if (d.carriage === 'bind') return { sql: template, params: values };
    return { sql: template.replace(/\$(\d+)/g, (_, k: string) => lit(values[+k - 1]!)) };
  };
  const parentQuery: Step = { sql: `SELECT ${n.pk}, name FROM ${n.parent} ORDER BY ${n.pk} LIMIT ${nParents}` };
  const byOwner = (k: string) => children.filter((c) => c.owner === k);
  const distinct = [...new Set(keys)];
  const trips = keys.length;
  let outcome = '';
  let kind = '';
  const owned = [n.parent, n.child];
  const readVerified = (rows: number, k: number, t = trips, alt = '') => `verified: same ${rows} row${rows === 1 ? '' : 's'} for ${k} key${k === 1 ? '' : 's'}${alt}; ${t} round trips → 1`;
  // the JOIN with the parent query is built when the names say which parent column is the key (owner_id ~ owners.id)
  const joinable = d.naming === 'std' && d.tables !== 'plain';
  const norm = (k: string) => (d.key === 'uuid' ? k.toLowerCase() : k);
  const joinClause = () => {
    if (!joinable) return '';
    // the parent query returns every owner: the JOIN has rows of owners the loop never asked for
    const never = parents.filter((p) => byOwner(p).length > 0 && !distinct.includes(p)).map(norm).sort();
    if (never.length === 0) return ' (JOIN with the parent query: same rows)';
    const first = parents.find((p) => norm(p) === never[0])!;
    return ` (JOIN with the parent query: other rows: the rewrite returned ${byOwner(first).length} row(s) for ${n.fkName} = ${never[0]}, a key the loop never asked for)`;
  };
  const writeVerified = (table: string, loop: number, rewrite: number, extra = '', t = trips, rt = 1) =>
    `verified: same state of ${table} afterwards (${loop} row${loop === 1 ? '' : 's'} changed by the loop, ${rewrite} by the rewrite${extra}; both rolled back); ${t} round trips → ${rt}`;
  const shownTable = (t: string) => t;
  // the child rows a write loop touches: in order, some twice, some missing
  const idsFor = (ks: string[]) => {
    const out: number[] = [];
    ks.forEach((_, i) => out.push(d.missingKeys && i % 4 === 3 ? 100000 + i : d.dupKeys && i % 5 === 4 ? out[i - 2] ?? out[0]! : children[i % children.length]!.id));
    return out;
  };

  switch (d.loop) {
    case 'has-many': {
      kind = 'n-plus-one';
      steps.push(parentQuery);
      keys.forEach((k, i) => steps.push(call(`SELECT id, label, amount, happened_at FROM ${n.child} WHERE ${n.fk} = $1`, [sent(k, i)])));
      outcome = readVerified(distinct.reduce((s, k) => s + byOwner(k).length, 0), distinct.length, trips, joinClause());
      break;
    }
    case 'pairs': {
      // a loop over (owner, status) pairs: two columns change from statement to statement
      kind = 'n-plus-one';
      steps.push(parentQuery);
      keys.forEach((k, i) => steps.push(call(`SELECT id, label FROM ${n.child} WHERE ${n.fk} = $1 AND status = $2`, [k, i % 2 ? 'paid' : 'open'])));
      const pairs = [...new Set(keys.map((k, i) => JSON.stringify([k, i % 2 ? 'paid' : 'open'])))].map((x) => JSON.parse(x) as [string, string]);
      const rows = pairs.reduce((sum, [k, st]) => sum + byOwner(k).filter((c) => c.status === st).length, 0);
      outcome = readVerified(rows, pairs.length);
      break;
    }
    case 'belongs-to': {
      kind = 'n-plus-one';
      // the children (some without an owner), then each one's owner
      const rows = children.filter((c) => c.owner !== null).slice(0, d.size);
      const owners = rows.map((c) => c.owner!);
      steps.push({ sql: `SELECT id, ${n.fk} FROM ${n.child} WHERE ${n.fk} IS NOT NULL ORDER BY id LIMIT ${d.size}` });
      owners.forEach((k, i) => steps.push(call(`SELECT ${n.pk}, handle, name FROM ${n.parent} WHERE ${n.pk} = $1`, [sent(k, i)])));
      const dk = [...new Set(owners)];
      // the JOIN returns an owner once per child that names it: compared as each key's distinct rows, the same
      outcome = readVerified(dk.length, dk.length, owners.length, joinable ? ' (JOIN with the parent query: same rows)' : '');
      // under --min-repeats (5) a loop counts with two different keys or more (docs/kinds/README.md#small-loops)
      if (owners.length < 5 && dk.length < 2) kind = '';
      break;
    }
    case 'count':
    case 'sum':
    case 'max': {
      kind = 'aggregate-loop';
      steps.push(parentQuery);
      const expr = d.loop === 'count' ? 'count(*)' : d.loop === 'sum' ? 'sum(amount) AS total' : 'max(happened_at) AS latest';
      keys.forEach((k, i) => steps.push(call(`SELECT ${expr} FROM ${n.child} WHERE ${n.fk} = $1`, [sent(k, i)])));
      // keys with no rows are absent from the GROUP BY (the documented difference)
      const withRows = distinct.filter((k) => byOwner(k).length > 0);
      outcome = readVerified(withRows.length, distinct.length);
      break;
    }
    case 'count-filter': {
      kind = 'aggregate-loop';
      steps.push(parentQuery);
      keys.forEach((k, i) => {
        for (const st of ['paid', 'open']) steps.push(call(`SELECT count(*) FROM ${n.child} WHERE ${n.fk} = $1 AND status = $2`, [sent(k, i), st]));
      });
      // a finding keeps its loop's first 200 statements: verify proves those
      const kept = keys.slice(0, KEPT / 2);
      const dk = [...new Set(kept)];
      const withRows = dk.filter((k) => byOwner(k).length > 0);
      const part = kept.length < keys.length ? ` (the loop's first ${kept.length * 2} of its ${trips * 2} statements, as many as the report keeps)` : '';
      outcome = `verified: same ${withRows.length * 2} rows for ${dk.length} keys; ${kept.length * 2} round trips → 1${part}`;
      break;
    }
    case 'latest-desc':
    case 'latest-asc': {
      kind = 'latest-per-parent';
      steps.push(parentQuery);
      const dir = d.loop === 'latest-desc' ? 'DESC' : 'ASC';
      keys.forEach((k, i) => steps.push(call(`SELECT id, label, happened_at FROM ${n.child} WHERE ${n.fk} = $1 ORDER BY happened_at ${dir} LIMIT 1`, [sent(k, i)])));
      const withRows = distinct.filter((k) => byOwner(k).length > 0);
      // the row_number() form is run beside DISTINCT ON
      outcome = readVerified(withRows.length, distinct.length, trips, ' (window function: same rows)');
      break;
    }
    case 'insert': {
      kind = 'per-row-insert';
      steps.push({ sql: 'BEGIN' }, parentQuery);
      keys.forEach((k, i) => {
        const c = i + 1;
        steps.push(
          // ref: digits with leading zeros in a text column (a zip code, an account number)
          call(`INSERT INTO ${n.child} (${n.fk}, label, amount, happened_at, status, ref) VALUES ($1, $2, $3, $4, $5, $6)`, [
            d.missingKeys && i % 4 === 3 ? null : parents[i % parents.length]!,
            LABELS[c % LABELS.length]!,
            AMOUNTS[c % AMOUNTS.length]!,
            stamp(1000 + c),
            'new',
            String(c * 7).padStart(6, '0'),
          ]),
        );
      });
      steps.push({ sql: 'COMMIT' });
      outcome = writeVerified(shownTable(n.child), keys.length, keys.length);
      break;
    }
    case 'update': {
      kind = 'per-row-update';
      steps.push({ sql: 'BEGIN' }, parentQuery);
      const ids = idsFor(keys);
      ids.forEach((cidv, i) => {
        steps.push(call(`UPDATE ${n.child} SET label = $1, amount = $2 WHERE id = $3`, [LABELS[(i + 3) % LABELS.length]!, AMOUNTS[(i + 1) % AMOUNTS.length]!, String(cidv)]));
      });
      steps.push({ sql: 'COMMIT' });
      const hit = ids.filter((x) => x < 100000);
      outcome = writeVerified(shownTable(n.child), hit.length, new Set(hit).size);
      break;
    }
    case 'update-key-only': {
      kind = 'per-row-update';
      steps.push({ sql: 'BEGIN' }, parentQuery);
      const ids = idsFor(keys);
      ids.forEach((cidv) => steps.push(call(`UPDATE ${n.child} SET status = 'done' WHERE id = $1`, [String(cidv)])));
      steps.push({ sql: 'COMMIT' });
      const hit = ids.filter((x) => x < 100000);
      outcome = writeVerified(shownTable(n.child), hit.length, new Set(hit).size);
      break;
    }
    case 'delete': {
      kind = 'per-row-delete';
      steps.push({ sql: 'BEGIN' }, parentQuery);
      const ids = idsFor(keys);
      ids.forEach((cidv) => steps.push(call(`DELETE FROM ${n.child} WHERE id = $1`, [String(cidv)])));
      steps.push({ sql: 'COMMIT' });
      const hit = ids.filter((x) => x < 100000);
      outcome = writeVerified(shownTable(n.child), new Set(hit).size, new Set(hit).size);
      break;
    }
    case 'get-or-create': {
      kind = 'select-then-insert';
      steps.push({ sql: 'BEGIN' });
      // every third handle exists already; the others are created
      let created = 0;
      let lookups = 0;
      for (let i = 0; i < d.size; i++) {
        const exists = i % 3 === 0;
        const h = exists ? handle(i + 1) : i % 4 === 1 ? `new'one-${i}` : `new-${i}`;
        steps.push(call(`SELECT ${n.pk} FROM ${n.parent} WHERE handle = $1`, [h]));
        lookups++;
        if (!exists) {
          const pkv = d.key === 'int' || d.key === 'uuid' ? null : keyValue(d.key, 5000 + i);
          if (pkv === null) steps.push(call(`INSERT INTO ${n.parent} (handle, name) VALUES ($1, $2) RETURNING ${n.pk}`, [h, i % 2 ? null : `Made ${i}`]));
          else steps.push(call(`INSERT INTO ${n.parent} (${n.pk}, handle, name) VALUES ($1, $2, $3) RETURNING ${n.pk}`, [pkv, h, i % 2 ? null : `Made ${i}`]));
          created++;
        }
      }
      steps.push({ sql: 'COMMIT' });
      outcome = writeVerified(shownTable(n.parent), created, created, `; the same rows back for ${d.size} keys`, lookups + created);
      break;
    }
    case 'get-or-create-pair': {
      // a lookup by a composite unique key (owner, ref), then the insert when it is missing
      kind = 'select-then-insert';
      steps.push({ sql: 'BEGIN' });
      let created = 0;
      for (let i = 0; i < d.size; i++) {
        const owner = parents[i % parents.length]!;
        const ref = `r-${String(i).padStart(3, '0')}`;
        steps.push(call(`SELECT id FROM ${n.child} WHERE ${n.fk} = $1 AND ref = $2`, [owner, ref]));
        steps.push(call(`INSERT INTO ${n.child} (${n.fk}, ref, label, happened_at, status) VALUES ($1, $2, $3, $4, $5) RETURNING id`, [owner, ref, `made ${i}`, stamp(3000 + i), 'new']));
        created++;
      }
      steps.push({ sql: 'COMMIT' });
      void created;
      // no one-statement form that returns a row for every pair is built: skipped, with that reason
      outcome =
        'skipped: the upsert returns rows only for the keys it inserts, where the loop got a row for every key it looked up ' +
        `(the one-statement form that returns every row is built for a lookup by one column; this one is by ${n.fkName}, ref)`;
      break;
    }
    case 'sequence': {
      kind = 'repeated-sequence';
      steps.push({ sql: 'BEGIN' }, parentQuery);
      // per owner: look it up, add a child row, rename the owner (three statements, three batched ones)
      const uniq = [...new Set(keys.filter((k) => parents.includes(k)))];
      uniq.forEach((k, i) => {
        steps.push(call(`SELECT ${n.pk}, handle FROM ${n.parent} WHERE ${n.pk} = $1`, [k]));
        steps.push(call(`INSERT INTO ${n.child} (${n.fk}, label, amount, happened_at, status) VALUES ($1, $2, $3, $4, $5)`, [k, `seq ${i}`, '1.25', stamp(2000 + i), 'seq']));
        steps.push(call(`UPDATE ${n.parent} SET name = $1 WHERE ${n.pk} = $2`, [i % 3 ? `renamed ${i}` : null, k]));
      });
      steps.push({ sql: 'COMMIT' });
      const tables = [n.child, n.parent].sort();
      // a block is reported from 3 repetitions on (minSequenceRepeats)
      if (uniq.length < 3) kind = '';
      // the finding keeps the first 200 statements: whole blocks, and the first statements of the next one
      const all = uniq.length * 3;
      const kept = Math.min(all, KEPT);
      const read = Math.ceil(kept / 3);
      const part = kept < all ? ` (the loop's first ${kept} of its ${all} statements, as many as the report keeps)` : '';
      outcome = `verified: same state of ${tables.join(', ')} afterwards (${kept - read} rows changed by the loop, ${kept - read} by the rewrite; the same rows back for ${read} keys; both rolled back); ${kept} round trips → 3${part}`;
      break;
    }
  }
  // reads run in one explicit transaction too: in autocommit a loop is told by its pace, and the pace of a
  // test machine is not the generator's to fix (writes already have theirs)
  if (steps[0]?.sql !== 'BEGIN') steps.unshift({ sql: 'BEGIN' }), steps.push({ sql: 'COMMIT' });
  return { id, app: `gen-${id}`, dims: d, setup, steps, expect: { kind, outcome }, owned };
}

/**
 * The cases: every value of every dimension at least once, each loop kind with several shapes, from one seed.
 * Kinds that write get the sizes and value carriages the reads get.
 */
export function scenarios(seed = 16): Scenario[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[], i: number) => xs[(i + Math.floor(r() * xs.length)) % xs.length]!;
  const loops: LoopKind[] = ['has-many', 'pairs', 'belongs-to', 'count', 'sum', 'max', 'count-filter', 'latest-desc', 'latest-asc', 'insert', 'update', 'update-key-only', 'delete', 'get-or-create', 'get-or-create-pair', 'sequence'];
  const keys: KeyType[] = ['int', 'bigint', 'uuid', 'text'];
  const namings: Naming[] = ['std', 'odd', 'mixed'];
  const tables: Tables[] = ['plain', 'schema', 'quoted'];
  const sizes = [2, 3, 17, 200];
  const out: Scenario[] = [];
  let i = 0;
  // two passes over the kinds: each pass cycles the other dimensions so that every pair of kind and key type meets
  for (let pass = 0; pass < 2; pass++) {
    for (const loop of loops) {
      const d: Dims = {
        loop,
        key: keys[(i + pass) % keys.length]!,
        naming: namings[i % namings.length]!,
        tables: tables[(i + pass) % tables.length]!,
        carriage: (i + pass) % 2 ? 'literal' : 'bind',
        size: pick(sizes, i),
        dupKeys: ((i + pass) & 2) === 0,
        missingKeys: ((i + pass) & 4) === 0,
      };
      out.push(scenario(++i, d));
    }
  }
  // the passes leave these shapes out: a belongs-to long enough to count with its repeated owners, and the JOIN
  // with the parent query (std names, a table named as the key says) over a whole parent list and over part of it
  const extra: Omit<Dims, 'dupKeys' | 'missingKeys'>[] = [
    { loop: 'belongs-to', key: 'int', naming: 'std', tables: 'schema', carriage: 'bind', size: 17 },
    { loop: 'belongs-to', key: 'text', naming: 'odd', tables: 'plain', carriage: 'literal', size: 200 },
    { loop: 'has-many', key: 'uuid', naming: 'std', tables: 'quoted', carriage: 'bind', size: 200 },
    { loop: 'has-many', key: 'bigint', naming: 'std', tables: 'schema', carriage: 'literal', size: 17 },
  ];
  extra.forEach((d, j) => out.push(scenario(++i, { ...d, dupKeys: j === 3, missingKeys: j === 3 })));
  return out;
}
