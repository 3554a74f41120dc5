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

function findings(file: string): string[] {
  const report = runJson([file]);
  return (report.findings as Finding[]).map((f) => `${f.kind} ${[...f.tables].sort().join(',')} x${f.repeats}`).sort();
}

describe.skipIf(!cli)('ORM log vs server log of the same run', () => {
  for (const [orm, name] of [
    ['sequelize', 'benchmark'],
    ['typeorm', 'console'],
    ['typeorm', 'file'],
  ] as const) {
    it(`${orm}/${name}: same findings`, () => {
      const dir = `tests/fixtures/orm/${orm}`;
      const fromOrm = findings(`${dir}/${name}.log`);
      expect(fromOrm.length).toBeGreaterThan(0);
      expect(fromOrm).toEqual(findings(`${dir}/${name}.server.log`));
    });
  }

  it('sequelize/plain: without logQueryParameters the per-row UPDATEs ($n, no values) are the only loop the ORM log cannot show', () => {
    const dir = 'tests/fixtures/orm/sequelize';
    const fromOrm = findings(`${dir}/plain.log`);
    const fromServer = findings(`${dir}/plain.server.log`);
    const missing = fromServer.filter((f) => !fromOrm.includes(f));
    expect(fromOrm.every((f) => fromServer.includes(f))).toBe(true);
    expect(missing.map((f) => f.split(' ')[0])).toEqual(['per-row-update']);
  });
});
