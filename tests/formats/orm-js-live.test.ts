/** Live check: install Sequelize and TypeORM as scripts/orm/make-orm-logs-node.sh does, run the apps against a throwaway PostgreSQL, and read the fresh logs. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sequelize from '../../src/formats/sequelize.js';
import typeorm from '../../src/formats/typeorm.js';
import { runFile } from './orm-js-harness.js';
import { repoRoot } from '../support/cli.js';

let out = '';
let skipReason: string | null = null;

beforeAll(async () => {
  out = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-orm-live-'));
  const script = path.join(repoRoot, 'scripts', 'orm', 'make-orm-logs-node.sh');
  await new Promise<void>((resolve) => {
    execFile('bash', [script, out], { cwd: repoRoot, timeout: 280_000, maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      if (err) {
        // npm registry or PostgreSQL not reachable here: say so, never skip silently.
        skipReason = `make-orm-logs-node.sh failed (${err.message.split('\n')[0]}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
        console.warn(`orm-js-live: skipped, ${skipReason}`);
      }
      resolve();
    });
  });
}, 300_000);

afterAll(() => {
  if (out !== '') rmSync(out, { recursive: true, force: true });
});

const truth = (orm: string, name: string) => JSON.parse(readFileSync(path.join(out, orm, `${name}.truth.json`), 'utf8'));

describe('fresh Sequelize and TypeORM logs', () => {
  for (const name of ['plain', 'benchmark']) {
    it(`sequelize ${name}: every statement the app ran, and its transactions`, (ctx) => {
      if (skipReason !== null) ctx.skip();
      const r = runFile(sequelize, path.join(out, 'sequelize', `${name}.log`));
      const t = truth('sequelize', name);
      expect(r.skipped).toEqual([]);
      expect(r.events.length).toBe(t.statements);
      expect(r.events.filter((e) => e.kind === 'commit').length).toBe(t.transactions.committed);
      expect(r.events.filter((e) => e.kind === 'rollback').length).toBe(t.transactions.rolledBack);
    });
  }
  for (const name of ['console', 'file']) {
    it(`typeorm ${name}: every statement the app ran, and its transactions`, (ctx) => {
      if (skipReason !== null) ctx.skip();
      const r = runFile(typeorm, path.join(out, 'typeorm', `${name}.log`));
      const t = truth('typeorm', name);
      expect(r.skipped).toEqual([]);
      expect(r.events.filter((e) => e.kind !== 'error').length).toBe(t.statements);
      expect(r.events.filter((e) => e.kind === 'begin').length).toBe(t.transactions.begins);
      expect(r.events.filter((e) => e.kind === 'commit').length).toBe(t.transactions.commits);
      expect(r.events.filter((e) => e.kind === 'rollback').length).toBe(t.transactions.rollbacks);
    });
  }
});
