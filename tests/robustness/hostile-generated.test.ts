/**
 * Hostile logs we did not write by hand: tests/support/hostile-gen.ts plants a marker, wrapped in terminal
 * escapes, C1 controls, bidi overrides, CRLF, Markdown or HTML, in one place a log carries a value, in one of
 * seven log formats, damaged in one of nine ways. The CLI runs on each with every output format, with and
 * without --redact, saves and merges its state and runs doctor. Every case must:
 * - exit 0 or 1 with its report, never with a stack;
 * - count exactly the statements the generator wrote whole, and name a cut final line by file:line;
 * - under --redact, hold the marker in no output, no message and no state file (schema names aside: a quoted
 *   table or database name is not a value);
 * - send no control character (C0 but tab and newline, DEL, C1, bidi overrides) in text, on stderr, or in the
 *   e-mail's text part; no markup from the log in Markdown outside code, nor raw HTML in the page or the mail;
 * - write JSON, NDJSON, SARIF and state files that parse.
 * SQLOUPE_HOSTILE_CASES=N runs more cases (70 hold every format and carrier pair; the default 42, six per format,
 * keeps the file within seconds).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeToState, resultFromStates } from '../../src/analyze.js';
import { buildOptions, type AnalyzeFlags } from '../../src/cli/analyze-command.js';
import { redactResult } from '../../src/redact.js';
import { composeEmail } from '../../src/report/email.js';
import { reporterById } from '../../src/report/index.js';
import { hostileCases, type HostileCase } from '../support/hostile-gen.js';
import { runCli, type CliRun } from '../support/cli.js';

const COUNT = Number(process.env.SQLOUPE_HOSTILE_CASES ?? 42);
const FLAGS: AnalyzeFlags = { format: 'json', minRepeats: '3', idleGap: '1s', failOn: 'none', top: '50' };
const cases = hostileCases(COUNT);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-hostile-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Any byte a terminal acts on: C0 but tab and newline, DEL, C1; and the bidi controls that reorder a line. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const STACK = /\n\s+at [^\n]*:\d+:\d+/;
const SGR = /\x1b\[[0-9;]*m/g;

interface Outcome {
  problems: string[];
}

function check(problems: string[], ok: boolean, what: string): void {
  if (!ok) problems.push(what);
}

/** Lines of Markdown outside fenced code, with inline code spans and backslash escapes taken out. */
function mdProse(md: string): string[] {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of md.split('\n')) {
    const m = /^(`{3,}|~{3,})/.exec(line);
    if (fence !== null) {
      if (m && m[1]!.startsWith(fence) && line.trim() === m[1]) fence = null;
      continue;
    }
    if (m) {
      fence = m[1]!;
      continue;
    }
    // code spans: a run of n backticks up to the next run of exactly n
    out.push(line.replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, 'CODE').replace(/\\[\s\S]/g, 'E'));
  }
  return out;
}

/** Markup outside code in a report: the report's own headings and links to the kind docs are known, the rest came from the log. */
function markdownProblems(md: string): string[] {
  const out: string[] = [];
  for (const l of mdProse(md)) {
    const ownLinks = l.replace(/\[[a-z-]+\]\(https:\/\/github\.com\/sqloupe\/sqloupe\/blob\/main\/docs\/kinds\/[a-z-]+\.md\)/g, 'LINK');
    const heading = /^\s{0,3}#/.test(l) && !/^(# sqloupe report: |#{2,3} )/.test(l);
    if (heading || /<[A-Za-z/!?]|\]\(|!\[/.test(ownLinks)) out.push(`markdown markup outside code: ${JSON.stringify(l.slice(0, 160))}`);
    // the findings table has 7 cells, top queries 5
    if (l.startsWith('|')) {
      const cols = l.split('|').length;
      if (cols !== 9 && cols !== 7) out.push(`markdown table row has ${cols - 2} cells: ${JSON.stringify(l.slice(0, 160))}`);
    }
  }
  return out;
}

const digestsAside = (t: string) => t.replace(/#[0-9a-f]{16}\b/g, '#digest').replace(/\b[0-9a-f]{12}\b/g, 'id');

async function runCase(c: HostileCase): Promise<Outcome> {
  const problems: string[] = [];
  const dir = mkdtempSync(path.join(tmp, 'c-'));
  const log = path.join(dir, c.file);
  writeFileSync(log, c.bytes);
  const runs: { args: string[]; r: CliRun; redact: boolean }[] = [];
  const run = async (args: string[], redact: boolean) => {
    const r = await runCli([...args, ...(redact ? ['--redact'] : [])]);
    runs.push({ args, r, redact });
    check(problems, r.code === 0 || r.code === 1, `exit ${r.code} for ${args.join(' ')}${redact ? ' --redact' : ''}: ${r.stderr.slice(0, 300)}`);
    check(problems, !STACK.test(r.stderr), `stack on stderr for ${args.join(' ')}`);
    return r;
  };
  const common = [log, '--min-repeats', '3', '--top', '50', '--no-progress'];
  const states: Record<string, string> = {};
  for (const redact of [false, true]) {
    const tag = redact ? 'redact' : 'plain';
    const statePath = path.join(dir, `${tag}.state`);
    const json = await run([...common, '--format', 'json', '--save-state', statePath], redact);
    let report: { summary: { statements: number }; findings: unknown[]; inputs: { unparsedLines: number; unparsedSamples: { line: number; reason: string }[]; warnings: string[] }[] } | null = null;
    try {
      report = JSON.parse(json.stdout);
    } catch {
      problems.push(`${tag} json does not parse`);
    }
    try {
      states[tag] = readFileSync(statePath, 'utf8');
      JSON.parse(states[tag]!);
    } catch {
      problems.push(`${tag} state missing or not JSON`);
    }
    if (report) {
      check(problems, report.summary.statements === c.statements, `${tag}: ${report.summary.statements} statements counted, ${c.statements} written`);
      check(problems, report.findings.length >= 2, `${tag}: ${report.findings.length} findings (the loops were not found)`);
      if (c.truncatedLine !== null) {
        const said = JSON.stringify(report.inputs) + json.stderr;
        check(problems, said.includes(`:${c.truncatedLine}`) || report.inputs.some((i) => i.unparsedSamples.some((s) => s.line === c.truncatedLine)), `${tag}: the cut last line ${c.truncatedLine} is not named`);
      }
    }
    // the other formats from the same data, as analyze-command renders them (one analysis instead of one each)
    const options = buildOptions({ ...FLAGS, redact });
    const built = resultFromStates([await analyzeToState([{ path: log, size: null }], options)], options);
    const result = redact ? redactResult(built) : built;
    const render = (id: string, color = false) => ({ stdout: reporterById(id)!.render(result, { color, quiet: false, width: 80 }) });
    const nd = render('ndjson');
    try {
      nd.stdout.trim().split('\n').forEach((l) => JSON.parse(l));
    } catch {
      problems.push(`${tag} ndjson does not parse`);
    }
    const sarif = render('sarif');
    try {
      const s = JSON.parse(sarif.stdout);
      check(problems, s.runs[0].results.length >= 2, `${tag}: SARIF has ${s.runs[0].results.length} results`);
    } catch {
      problems.push(`${tag} sarif does not parse`);
    }
    const text = render('text');
    const color = render('text', true);
    const md = render('markdown');
    const html = render('html');
    const mail = { stdout: (await composeEmail(result, { to: ['team@example.com'], from: 'sqloupe@example.com', subject: null, suppressedFindings: 0, baselineUsed: false })).toString('utf8') };
    const rendered = [nd, sarif, text, color, md, html, mail].map((x) => x.stdout);
    const parsed = await simpleParser(mail.stdout);
    for (const [what, out] of [
      ['text', text.stdout],
      ['text --color', color.stdout.replace(SGR, '')],
      ['e-mail text part', parsed.text ?? ''],
      ['e-mail subject', parsed.subject ?? ''],
    ] as const) {
      const m = CONTROL.exec(out);
      check(problems, m === null, `${tag} ${what}: raw U+${m?.[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${m?.index}`);
    }
    for (const x of runs.filter((x) => x.redact === redact)) {
      const m = CONTROL.exec(x.r.stderr.replace(SGR, ''));
      check(problems, m === null, `${tag} stderr of ${x.args.slice(-2).join(' ')}: raw U+${m?.[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
    }
    // one message, no header from the log: a CRLF in a value must not add a Bcc
    check(problems, !/^bcc:/im.test(mail.stdout.split(/\r?\n\r?\n/)[0]!), `${tag} e-mail has a Bcc header`);
    for (const p of markdownProblems(md.stdout)) problems.push(`${tag} ${p}`);
    for (const [what, page] of [
      ['html', html.stdout],
      ['e-mail html part', typeof parsed.html === 'string' ? parsed.html : ''],
    ] as const) {
      check(problems, !/<img src=x|<script>alert/i.test(page), `${tag} ${what} holds raw markup from the log`);
    }
    if (redact) {
      const all = [...runs.filter((x) => x.redact).flatMap((x) => [x.r.stdout, x.r.stderr]), states['redact']!, parsed.text ?? '', typeof parsed.html === 'string' ? parsed.html : '', ...rendered];
      if (!c.schemaName) {
        const names = [...runs.filter((x) => x.redact).flatMap((x) => [`stdout of ${x.args.slice(-2).join(' ')}`, `stderr of ${x.args.slice(-2).join(' ')}`]), 'state', 'mail text', 'mail html', 'ndjson', 'sarif', 'text', 'text --color', 'markdown', 'html', 'e-mail'];
        all.forEach((t, i) => {
          const at = digestsAside(t).indexOf(c.marker);
          check(problems, at < 0, `redacted ${names[i]} holds the marker: ${JSON.stringify(digestsAside(t).slice(Math.max(0, at - 60), at + 30))}`);
        });
      }
    } else {
      const all = runs.filter((x) => !x.redact).map((x) => x.r.stdout + x.r.stderr).join('\n') + states['plain'] + rendered.join('\n');
      if (c.shown) check(problems, all.includes(c.marker), `plain outputs never show the marker ${c.marker} (the check could not fail)`);
    }
  }
  // a plain state merged with --redact holds no value; doctor --redact quotes nothing
  const merged = path.join(dir, 'merged.state');
  const m = await run(['merge', path.join(dir, 'plain.state'), '--save-state', merged, '--format', 'markdown'], true);
  const doctor = await run(['doctor', log], true);
  if (!c.schemaName) {
    for (const [what, t] of [
      ['merge', m.stdout + m.stderr],
      ['merged state', readFileSync(merged, 'utf8')],
      ['doctor', doctor.stdout + doctor.stderr],
    ] as const)
      check(problems, !digestsAside(t).includes(c.marker), `${what} --redact holds the marker ${c.marker}`);
  }
  const dm = CONTROL.exec(doctor.stdout + doctor.stderr);
  check(problems, dm === null, `doctor prints raw U+${dm?.[0].charCodeAt(0).toString(16)}`);
  rmSync(dir, { recursive: true, force: true });
  return { problems };
}

describe('the checks', () => {
  it('catch what they look for', () => {
    expect(markdownProblems('- **Tables:** <img src=x>\n- a [x](http://e/) b\n# h\n| 1 | a | b |')).toHaveLength(4);
    expect(markdownProblems('## 1. N+1 on \\<img\\> `<img>`\n```sql\n<img>\n```\n- [n-plus-one](https://github.com/sqloupe/sqloupe/blob/main/docs/kinds/n-plus-one.md) \\[x\\](y)')).toEqual([]);
    expect(CONTROL.test('a\x1b[2Jb')).toBe(true);
    expect(CONTROL.test('a\u009bb')).toBe(true);
    expect(CONTROL.test('a\u202eb')).toBe(true);
    expect(CONTROL.test('a\tb\nc \\x1b')).toBe(false);
  });
});

describe(`${cases.length} generated hostile logs`, () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { problems } = await runCase(c);
      if (process.env.SQLOUPE_HOSTILE_DUMP) appendFileSync(process.env.SQLOUPE_HOSTILE_DUMP, JSON.stringify({ name: c.name, problems }) + '\n');
      expect(problems).toEqual([]);
    });
  }
});
