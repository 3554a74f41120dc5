// The scenario design: which ORM, relation shape, connection, pause rhythm, loop size and
// log_line_prefix each scenario uses, and the ground truth it should produce.
//
// Not a full cross product (6 × 13 × 4 × 3 × 4 × 3): a covering design in which every shape meets
// four ORMs, and every value of every other dimension meets several values of each of the others.
// Each dimension is indexed by a different stride of the scenario number, so no two dimensions
// move together. Deterministic: the same list every time.

export const ORMS = ['sqlalchemy', 'django', 'activerecord', 'sequelize', 'typeorm', 'pg'];
export const NODE_ORMS = new Set(['sequelize', 'typeorm', 'pg']);

/** shape → what the loop does, the expected findings (kind, table) and the negative control. */
export const SHAPES = {
  'belongs-to': { expect: [['n-plus-one', 'authors']], control: 'eager load of the parent (JOIN / select_related / includes)' },
  'has-many': { expect: [['n-plus-one', 'books']], control: 'eager load of the children (selectinload / prefetch_related / includes / include)' },
  'has-one': { expect: [['n-plus-one', 'profiles']], control: 'eager load of the one child' },
  'has-many-through': { expect: [['n-plus-one', 'tags']], control: 'eager load through the join table' },
  polymorphic: { expect: [['n-plus-one', 'comments']], control: 'eager load of the polymorphic children' },
  'two-relations': { expect: [['n-plus-one', 'holders'], ['n-plus-one', 'series']], control: 'eager load of both relations' },
  'identity-map-dedup': { expect: [['n-plus-one', 'authors']], control: 'eager load of the parent' },
  'per-row-insert': { expect: [['per-row-insert', 'reviews']], control: 'one multi-row INSERT' },
  'per-row-update': { expect: [['per-row-update', 'books']], control: 'one UPDATE … WHERE id IN (…)' },
  'per-row-delete': { expect: [['per-row-delete', 'reviews']], control: 'one DELETE … WHERE id IN (…)' },
  aggregate: { expect: [['aggregate-loop', 'books']], control: 'one GROUP BY' },
  'latest-per-parent': { expect: [['latest-per-parent', 'books']], control: 'one DISTINCT ON' },
  'get-or-create': { expect: [['select-then-insert', 'labels']], control: 'one INSERT … ON CONFLICT DO NOTHING and one SELECT … IN' },
};
export const SHAPE_NAMES = Object.keys(SHAPES);

export const CONNECTIONS = ['dedicated', 'transaction', 'pool', 'fanout'];
export const RHYTHMS = ['fast', 'slow', 'jitter'];
export const SIZES = [2, 3, 5, 1000];

export const PREFIXES = [
  { id: 'p1', prefix: '%m [%p] %q%u@%d/%a %c %v %x ' },
  { id: 'p2', prefix: '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ' },
  { id: 'p3', prefix: '%m [%p] %q%u@%d/%a [%c] %x ' },
];

/** Kinds that are a loop: a finding of one of these on a negative control is a false finding. */
export const LOOP_KINDS = new Set([
  'n-plus-one', 'repeated-sequence', 'aggregate-loop', 'latest-per-parent',
  'per-row-insert', 'per-row-update', 'per-row-delete', 'select-then-insert',
]);

/** How many concurrent requests a pooled scenario runs, and the pool size. */
export const POOL = { requests: 3, connections: 3 };

/**
 * The held-out batch (tests/fixtures/heldout): the same shapes, negative controls and independent-requests
 * negatives, but met with other ORMs, connections, rhythms, loop sizes, seeds, pool and log_line_prefixes
 * than the default design, by other strides and offsets. Written to measure how the detectors generalise
 * to logs nobody looked at while writing them: never tune detection thresholds on it.
 */
export const HELDOUT = {
  sizes: [2, 4, 7, 150],
  prefixes: [
    { id: 'h1', prefix: '%m [%p] %q%u@%d ' }, // Debian/Ubuntu default: milliseconds, no %a
    { id: 'h2', prefix: '%t [%p-%l] %q%u@%d ' }, // older Debian default: whole seconds, no %a
    { id: 'h3', prefix: '%m [%p] %q[user=%u,db=%d,app=%a] ' }, // pganalyze's recommendation: key=value in brackets
  ],
  pool: { requests: 5, connections: 4 },
};

/** A design's loop sizes, prefixes and pool: `variant` 'heldout' or the default. */
export function designOf(variant = 'default') {
  if (variant === 'heldout') return HELDOUT;
  if (variant !== 'default') throw new Error(`unknown design variant: ${variant}`);
  return { sizes: SIZES, prefixes: PREFIXES, pool: POOL };
}

export function buildScenarios({ variant = 'default' } = {}) {
  const heldout = variant === 'heldout';
  const { sizes, prefixes } = designOf(variant);
  const out = [];
  const perShape = 4;
  // round r pairs shape j with ORM j + ormOffset[r]: four ORMs per shape
  const ormOffset = heldout ? [2, 5, 1, 3] : [0, 1, 3, 4];
  const connCounter = new Map(); // per ORM: each ORM goes through all of its connection modes in turn
  for (let round = 0; round < perShape; round++) {
    SHAPE_NAMES.forEach((shape, j) => {
      const i = round * SHAPE_NAMES.length + j;
      const o = (j + ormOffset[round]) % ORMS.length;
      const orm = ORMS[o];
      const conns = NODE_ORMS.has(orm) ? CONNECTIONS : CONNECTIONS.slice(0, 3);
      const c = connCounter.get(orm) ?? (heldout ? o + 1 : 0); // held out: each ORM starts its turn elsewhere
      connCounter.set(orm, c + 1);
      const connection = conns[c % conns.length];
      let rhythm, size, prefix, id, seed;
      if (heldout) {
        rhythm = RHYTHMS[(2 * j + [1, 0, 2, 1][round]) % RHYTHMS.length];
        size = sizes[(3 * j + round + 1) % sizes.length];
        prefix = prefixes[(j + [1, 0, 2, 0][round]) % prefixes.length].id;
        id = `h${String(i + 1).padStart(2, '0')}`;
        seed = 5000 + 7 * i;
      } else {
        // offsets chosen so that rhythm meets every ORM and every prefix (both also move with the round)
        rhythm = RHYTHMS[(j + [0, 0, 1, 2][round]) % RHYTHMS.length];
        size = sizes[(j + round) % sizes.length];
        prefix = prefixes[(j + 2 * round) % prefixes.length].id;
        id = `s${String(i + 1).padStart(2, '0')}`;
        seed = i + 1;
      }
      out.push({ id, orm, shape, connection, rhythm, size, prefix, seed });
    });
  }
  // Pooled traffic alone: many independent requests, each one parent + one lookup (negative only).
  ORMS.forEach((orm, j) => {
    if (heldout) {
      out.push({ id: `hi${j + 1}`, orm, shape: 'independent-requests', connection: 'pool', rhythm: RHYTHMS[(j + 2) % 3], size: 30, prefix: prefixes[(j + 1) % 3].id, seed: 900 + 3 * j, negativeOnly: true });
      return;
    }
    const id = `i${j + 1}`;
    out.push({ id, orm, shape: 'independent-requests', connection: 'pool', rhythm: RHYTHMS[j % 3], size: 30, prefix: prefixes[j % 3].id, seed: 100 + j, negativeOnly: true });
  });
  return out;
}

export const appName = (s, role) => `acc-${s.id}-${role}`;
