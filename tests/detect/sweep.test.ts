/**
 * The detection rules swept across the dimensions their constants were tuned on (tests/support/sweep.ts):
 * every loop shape × how it is wrapped × the client's pace × loop size must give exactly its one finding, and
 * pooled traffic (requests in a row on one connection, and at once on several, at several think times) must
 * give none. A failure lists the cases, each reproducible from its seed.
 */
import { describe, expect, it } from 'vitest';
import { findingsOf } from '../support/kind-tester.js';
import { LOOP_WRAPPINGS, loopCase, pooledCase, REQUESTS, type Pace, type Shape } from '../support/sweep.js';
import { KINDS } from '../../src/detect/registry.js';

const SHAPES: Shape[] = ['n-plus-one', 'aggregate-loop', 'per-row-update', 'per-row-insert', 'per-row-delete', 'select-then-insert'];
const PACES: Pace[] = ['fast', 'slow', 'jitter', 'sluggish'];
const SIZES = [2, 3, 7, 40];
const SEEDS = [1, 2, 3, 4, 5, 6];
const LOOP_KINDS = new Set(KINDS.filter((k) => k.meta.loop).map((k) => k.id as string));

describe('loops: every shape, wrapping, pace and size gives exactly its finding', () => {
  for (const shape of SHAPES) {
    for (const wrapping of LOOP_WRAPPINGS(shape)) {
      it(`${shape} · ${wrapping}`, () => {
        const wrong: string[] = [];
        for (const pace of PACES) {
          for (const size of SIZES) {
            for (const seed of SEEDS) {
              const c = loopCase(shape, wrapping, pace, size, seed * 1000 + size);
              const got = findingsOf(c.log)
                .filter((f) => LOOP_KINDS.has(f.kind))
                .map((f) => `${f.kind}[${f.tables.join(',')}]×${f.repeats}`);
              const want = `${c.expected.kind}[${c.expected.table}]×${c.expected.repeats}`;
              if (got.length !== 1 || got[0] !== want) wrong.push(`${c.name}: want ${want}, got ${got.join(' ') || 'nothing'}`);
            }
          }
        }
        expect(wrong).toEqual([]);
      });
    }
  }
});

describe('pooled traffic: independent requests give no finding', () => {
  for (const kind of REQUESTS.filter((r) => r !== 'one-statement-apis')) {
    it(kind, () => {
      const wrong: string[] = [];
      // requests queued back to back on one connection with no pause cannot be told from a loop without request
      // tags: the pause before each request is what separates them
      for (const [connections, thinks] of [[1, [10, 40, 200]], [3, [5, 10, 40, 200]]] as const) {
        for (const thinkMs of thinks) {
          for (const seed of SEEDS) {
            const c = pooledCase(kind, connections, thinkMs, 30, seed);
            const got = findingsOf(c.log).map((f) => `${f.kind}[${f.tables.join(',')}]×${f.repeats}`);
            if (got.length > 0) wrong.push(`${c.name}: ${got.join(' ')}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});

describe('pooled traffic a server log cannot tell from a loop: reported, with low confidence and the reason', () => {
  // a service whose endpoints run one statement each: a list request, then item requests, one connection. In
  // the log this is a parent and its N+1 at any think time; without request tags nothing says otherwise
  it('one-statement endpoints', () => {
    const wrong: string[] = [];
    let reported = 0;
    for (const thinkMs of [10, 40, 200]) {
      for (const seed of SEEDS) {
        const c = pooledCase('one-statement-apis', 1, thinkMs, 30, seed);
        for (const f of findingsOf(c.log)) {
          reported++;
          const why = f.evidence.basis.some((b) => b.includes('separate requests on a pooled connection would look the same'));
          if (f.evidence.confidence !== 'low' || !why) wrong.push(`${c.name}: ${f.kind}[${f.tables.join(',')}]×${f.repeats} ${f.evidence.confidence}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // once a rule tells these requests apart, they belong with the negatives above
    expect(reported).toBeGreaterThan(0);
  });
});
