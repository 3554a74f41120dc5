/** The real Sequelize/TypeORM logs give the same findings as PostgreSQL's own log of the same run (captured together by make-orm-logs-node.sh). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runJson } from '../support/cli.js';

const cli = existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'));
if (!cli) console.warn('orm-js-vs-server: skipped, the CLI is not built (dist/cli/main.js missing)');

interface Finding {
  kind: string;
  tables: string[];
  repeats: number;
}

async function findings(file: string): Promise<string[]> {
  const report = await runJson([file]);
  return (report.findings as Finding[]).map((f) => `${f.kind} ${[...f.tables].sort().join(',')} x${f.repeats}`).sort();
}

describe.skipIf(!cli)('ORM log vs server log of the same run', () => {
  for (const [orm, name] of [
    ['sequelize', 'benchmark'],
    ['typeorm', 'console'],
    ['typeorm', 'file'],
  ] as const) {
    it(`${orm}/${name}: same findings`, async () => {
      const dir = `tests/fixtures/orm/${orm}`;
      const fromOrm = await findings(`${dir}/${name}.log`);
      expect(fromOrm.length).toBeGreaterThan(0);
      expect(fromOrm).toEqual(await findings(`${dir}/${name}.server.log`));
    });
  }

  it('sequelize/plain (no logQueryParameters): a subset of the server findings, the planted N+1 and aggregate loop included', async () => {
    // Without bound values the ORM log cannot show which keys the $n UPDATEs touched, so the server log
    // may find more (the per-row UPDATEs); the ORM log must never find something the server log does not.
    const dir = 'tests/fixtures/orm/sequelize';
    const fromOrm = await findings(`${dir}/plain.log`);
    const fromServer = await findings(`${dir}/plain.server.log`);
    expect(fromOrm.filter((f) => !fromServer.includes(f))).toEqual([]);
    expect(fromOrm.some((f) => f.startsWith('n-plus-one "Books"'))).toBe(true);
    expect(fromOrm.some((f) => f.startsWith('aggregate-loop "Reviews"'))).toBe(true);
  });
});
