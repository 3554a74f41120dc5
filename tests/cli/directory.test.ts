/** Reading a directory: what is plainly not a log (README, pretty-printed JSON, pictures) is left unread, counted once, and never noise on stderr. */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, plainlyNotLog, resolveInputs } from '../../src/input/sources.js';
import { runCli } from '../support/cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sqloupe-dir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// the samples folder as a user keeps logs: each log beside its README and the ground truth written with it
const dir = path.join(tmp, 'logs');
mkdirSync(path.join(dir, 'old'), { recursive: true });
for (const f of ['billing.log', 'pooled-web.json', 'billing.truth.json', 'README.md']) copyFileSync(path.join('samples', f), path.join(dir, f));
copyFileSync('samples/loops.csv', path.join(dir, 'old', 'loops.csv'));
writeFileSync(path.join(dir, 'settings.json'), '{"retention":"7d"}\n');
writeFileSync(path.join(dir, 'graph.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

describe('directory inputs', () => {
  it('keeps the logs (stderr, jsonlog, csvlog in a subfolder) and names what it left out', () => {
    const r = resolveInputs([dir], false);
    expect(r.sources.map((s) => path.relative(dir, s.path))).toEqual(['billing.log', path.join('old', 'loops.csv'), 'pooled-web.json']);
    expect(r.notLogs.map((p) => path.relative(dir, p))).toEqual(['README.md', 'billing.truth.json', 'graph.png', 'settings.json']);
  });

  it('a .json file is a log when its first line is one JSON object with log keys (jsonlog), not when it is a document', () => {
    expect(plainlyNotLog('samples/pooled-web.json', 'pooled-web.json')).toBe(false);
    expect(plainlyNotLog('tests/fixtures/pg/cnpg.jsonl', 'cnpg.json')).toBe(false);
    expect(plainlyNotLog('samples/billing.truth.json', 'billing.truth.json')).toBe(true);
    expect(plainlyNotLog(path.join(dir, 'settings.json'), 'settings.json')).toBe(true);
    expect(plainlyNotLog('samples/billing.log', 'billing.log')).toBe(false);
    expect(plainlyNotLog('samples/README.md', 'README')).toBe(true);
  });

  it('a file named on the command line is read whatever its name', () => {
    expect(resolveInputs(['samples/README.md'], false)).toEqual({ sources: [{ path: 'samples/README.md', size: expect.any(Number) }], notLogs: [] });
  });

  it('a directory with no log in it says what it holds instead', () => {
    const docs = path.join(tmp, 'docs');
    mkdirSync(docs);
    copyFileSync('samples/README.md', path.join(docs, 'README.md'));
    expect(() => resolveInputs([docs], false)).toThrow(new InputError(`directory ${docs} holds no log files (one file that is not a log: ${path.join(docs, 'README.md')})`));
  });

  it('the report counts the skipped files in one line; stderr stays empty', async () => {
    const r = await runCli([dir, '-j', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const names = ['README.md', 'billing.truth.json', 'graph.png', 'settings.json'].map((f) => path.join(dir, f)).join(', ');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('skipped'))).toEqual([`skipped 4 files that are not logs: ${names}`]);
    expect(r.stdout.split('\n')[0]).toBe('sqloupe 0.1.0 — 3 inputs (pg-stderr, pg-csv, pg-json)');
  });
});
