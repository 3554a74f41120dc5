/**
 * The rewrite step parses a loop's statements with an Earley parser whose cost explodes with size and
 * nesting: statements past the configured limits get SQL advice without a generated rewrite, and the
 * finding says which limit was reached. The loop is still found and counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REWRITE_LIMITS, rewritesSkipped, setRewriteLimits } from '../../src/rewrite/index.js';
import { findingsOf } from '../support/kind-tester.js';

const loop = (where: (k: number) => string) => `
  12:00:00.000 [7] BEGIN
  12:00:00.001 [7] SELECT id FROM posts WHERE published
  ${[1, 2, 3, 4, 5].map((k) => `12:00:00.00${k + 1} [7] SELECT * FROM comments WHERE ${where(k)}`).join('\n  ')}
  12:00:00.009 [7] COMMIT
`;
const nested = (k: number) => `post_id = ${'('.repeat(6)}${k}${')'.repeat(6)}`;

afterEach(() => {
  setRewriteLimits(DEFAULT_REWRITE_LIMITS);
});

describe('rewrite parse limits', () => {
  it('builds the rewrite of statements within the limits', () => {
    const [f] = findingsOf(loop(nested));
    expect(f!.kind).toBe('n-plus-one');
    expect(f!.suggestion!.use).toBe('SELECT * FROM comments WHERE post_id = ANY($1)');
    expect(f!.suggestion!.summary).not.toContain('No rewrite generated');
  });

  it('skips the rewrite when a statement nests deeper than the limit, and says so', () => {
    setRewriteLimits({ maxDepth: 5 });
    const before = rewritesSkipped();
    const found = findingsOf(loop(nested));
    expect(found.map((f) => [f.kind, f.repeats])).toEqual([['n-plus-one', 5]]);
    expect(found[0]!.suggestion!.use).toBeNull();
    expect(found[0]!.suggestion!.summary).toMatch(/ \(No rewrite generated: a statement nests parentheses deeper than the limit of 5 for rewrites\.\)$/);
    expect(rewritesSkipped() - before).toBe(1);
  });

  it('skips the rewrite when a statement is longer than the limit, and says so', () => {
    setRewriteLimits({ maxBytes: 39 });
    const found = findingsOf(loop((k) => `post_id = ${k}`));
    expect(found.map((f) => [f.kind, f.repeats])).toEqual([['n-plus-one', 5]]);
    expect(found[0]!.suggestion!.use).toBeNull();
    // the longest is the parent's or a lookup's: "SELECT * FROM comments WHERE post_id = 1" is 40 characters
    expect(found[0]!.suggestion!.summary).toMatch(/ \(No rewrite generated: a statement of 40 characters is over the 39-character limit for rewrites\.\)$/);
  });

  it('does not count parentheses inside string literals as nesting', () => {
    setRewriteLimits({ maxDepth: 2 });
    const [f] = findingsOf(loop((k) => `post_id = ${k} AND body <> '((((('`));
    expect(f!.suggestion!.summary).not.toContain('No rewrite generated');
  });
});
