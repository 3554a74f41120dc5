/** `sqloupe doctor`: names exactly what a log lacks and the postgresql.conf lines to add. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { pgLogs } from '../support/pg-logs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sqloupe-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lines = (out: string, word: string) => out.split('\n').filter((l) => l.trimStart().startsWith(word)).map((l) => l.trim());

describe('sqloupe doctor', () => {
  it('a pid-only prefix: session id, transaction, application, user and database are missing; the prefix to use is given', async () => {
    const logs = await pgLogs('minimal-prefix');
    const r = await runCli(['doctor', logs.log]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ok       log_line_prefix '%m [%p] ' (detected)");
    expect(lines(r.stdout, 'missing').map((l) => l.split(':')[0])).toEqual([
      'missing  the session id (%c)',
      'missing  the transaction id (%v or %x)',
      'missing  the application name (%a)',
      'missing  user and database (%u, %d)',
    ]);
    expect(r.stdout).toContain("    log_line_prefix = '%m [%p] %q%u@%d/%a [%c] %v '");
  });

  it("pgBadger's %t prefix: whole-second timestamps are named as the gap", async () => {
    const logs = await pgLogs('pgbadger-prefix');
    const r = await runCli(['doctor', logs.log]);
    expect(lines(r.stdout, 'missing').map((l) => l.split(':')[0])).toEqual([
      'missing  millisecond timestamps (%m or %n)',
      'missing  the session id (%c)',
      'missing  the transaction id (%v or %x)',
    ]);
  });

  it('statements without durations and no connection lines: the settings to add', async () => {
    const file = path.join(dir, 'nodurations.log');
    writeFileSync(file, ['SELECT 1', 'SELECT 2', 'SELECT 3'].map((s, i) => `2024-05-01 10:00:0${i}.000 UTC [42] LOG:  statement: ${s}`).join('\n') + '\n');
    const r = await runCli(['doctor', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('missing  durations logged');
    expect(r.stdout).toContain('missing  connections logged');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('    '))).toEqual([
      "    log_line_prefix = '%m [%p] %q%u@%d/%a [%c] %v '",
      '    log_min_duration_statement = 0',
      '    # on a busy server, log a sample of transactions instead: log_transaction_sample_rate = 0.01',
      '    log_connections = on',
      '    log_disconnections = on',
    ]);
  });

  it('an ORM log: the logging settings that would add what it lacks', async () => {
    const r = await runCli(['doctor', 'tests/fixtures/orm/sequelize/plain.log']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout, 'note')).toEqual([
      'note     No durations: pass benchmark: true to the Sequelize constructor (logs "Elapsed time: Nms").',
      'note     Bound values are not logged: pass logQueryParameters: true.',
    ]);
  });

  it('something that is not a log: says so and exits 2', async () => {
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'shopping list\nmilk\n');
    const r = await runCli(['doctor', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/notes\.txt: format not recognised, 2 lines, 0 statements, 2 lines not understood/);
  });
});
