/** Every command, option and file path the help texts print exists: a user who copies one from --help gets what it says. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formats } from '../../src/formats/index.js';
import { renderFormats } from '../../src/cli/formats-command.js';
import { reporters } from '../../src/report/index.js';
import { repoRoot, runCli } from '../support/cli.js';

const helps = new Map<string, string>();
let commands: string[] = [];

beforeAll(async () => {
  const root = await runCli(['--help']);
  expect(root.code).toBe(0);
  helps.set('sqloupe', root.stdout);
  const listed = root.stdout.slice(root.stdout.indexOf('Commands:')).split('\n').slice(1);
  commands = listed.map((l) => /^ {2}([a-z]+)\b/.exec(l)?.[1]).filter((c): c is string => c !== undefined);
  for (const c of commands.filter((x) => x !== 'help')) {
    const r = await runCli([c, '--help']);
    expect(r.code, `${c} --help`).toBe(0);
    helps.set(`sqloupe ${c}`, r.stdout);
  }
});

/** Options a help text lists in its Options section. */
const optionsOf = (text: string) => [...text.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!);

describe('--help', () => {
  it('lists the commands, formats among them', () => {
    expect(commands).toEqual(['analyze', 'verify', 'merge', 'fingerprint', 'formats', 'doctor', 'help']);
  });

  it('every `sqloupe WORD` it prints names a real command, an option, stdin or a file', () => {
    for (const [name, text] of helps) {
      for (const m of text.matchAll(/(?:^|[\s`|])sqloupe ([^\s`]+)/g)) {
        const word = m[1]!;
        // options, paths and the usage line's [options] / <paths> placeholders
        if (/^[-[<]/.test(word) || word.includes('/') || word.includes('.')) continue;
        expect(commands, `${name}: sqloupe ${word}`).toContain(word);
      }
    }
  });

  it('every option it mentions is one the command takes', () => {
    const all = new Set([...helps.values()].flatMap(optionsOf).concat(['--help', '--version']));
    for (const [name, text] of helps) {
      for (const m of text.matchAll(/(?<![\w-])(--[a-z][a-z-]+)/g)) expect(all.has(m[1]!), `${name}: ${m[1]}`).toBe(true);
    }
  });

  it('every repository path it prints exists (samples/, schema/, docs/)', () => {
    const seen = new Set<string>();
    for (const [name, text] of helps) {
      for (const m of text.matchAll(/\b((?:samples|schema|docs)\/[\w./-]*[\w])/g)) {
        seen.add(m[1]!);
        expect(existsSync(path.join(repoRoot, m[1]!)), `${name}: ${m[1]}`).toBe(true);
      }
    }
    expect([...seen].sort()).toEqual(['samples/billing.log', 'schema/sqloupe.config.schema.json']);
  });
});

describe('sqloupe formats', () => {
  it('lists every input format id --input-format takes and every output format, one per line', () => {
    const text = renderFormats();
    for (const f of formats) expect(text).toMatch(new RegExp(`^ {2}${f.id} +${f.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    for (const r of reporters) expect(text).toMatch(new RegExp(`^ {2}${r.id} +\\S`, 'm'));
    expect(text.split('\n').filter((l) => l.startsWith('  '))).toHaveLength(formats.length + reporters.length);
  });

  it('runs as a command (it used to be read as a file named "formats")', async () => {
    const r = await runCli(['formats']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(renderFormats());
  });
});
