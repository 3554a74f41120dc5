/** The e-mail digest: a real mail parser reads both parts, and the message reaches a real SMTP server and a sendmail-compatible program. */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, repoRoot, runCli, type CliRun } from '../support/cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sqloupe-email-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const env = { HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'xdg') };

/** runCli blocks the event loop; the SMTP server lives in this process, so this one must not. */
function runAsync(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function checkDigest(mail: ParsedMail, findingIds: string[]) {
  expect(mail.from?.text).toBe('sqloupe@db1.example.com');
  expect((Array.isArray(mail.to) ? mail.to : [mail.to]).map((a) => a?.text).join(',')).toContain('team@example.com');
  expect(mail.subject).toMatch(/\[sqloupe\] 1 finding/);
  expect(mail.date).toBeInstanceOf(Date);
  expect(mail.messageId).toMatch(/^<.+@.+>$/);
  expect(mail.text).toContain('n-plus-one');
  expect(mail.text).toContain('order_items');
  const html = mail.html || '';
  expect(html).toContain('<table');
  expect(html).toContain('style="');
  // Gmail drops <style> blocks: every style must be inline
  expect(html).not.toMatch(/<style[\s>]/i);
  for (const id of findingIds) {
    expect(mail.text).toContain(id);
    expect(html).toContain(id);
  }
  expect(html).toContain('N+1 query on order_items');
}

const ids = async () => (JSON.parse((await runCli(['samples/billing.log', '--format', 'json'], { env })).stdout) as { findings: { id: string }[] }).findings.map((f) => f.id);

describe('--format email on stdout', () => {
  it('is a complete MIME message with a text and an HTML part', async () => {
    const r = await runCli(['samples/billing.log', '--format', 'email', '--to', 'team@example.com', '--from', 'sqloupe@db1.example.com'], { env });
    expect(r.code).toBe(0);
    for (const h of ['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version']) expect(r.stdout).toMatch(new RegExp(`^${h}: `, 'm'));
    expect(r.stdout).toMatch(/multipart\/alternative/);
    // for `| sendmail -t`: local line ends, no CR
    expect(r.stdout).not.toContain('\r');
    checkDigest(await simpleParser(r.stdout), await ids());
  });

  it('--subject and several recipients', async () => {
    const r = await runCli(['samples/billing.log', '--format', 'email', '--to', 'a@example.com, b@example.com', '--subject', 'Nightly loops'], { env });
    const mail = await simpleParser(r.stdout);
    expect(mail.subject).toBe('Nightly loops');
    const to = Array.isArray(mail.to) ? mail.to : [mail.to!];
    expect(to.flatMap((a) => a.value.map((v) => v.address))).toEqual(['a@example.com', 'b@example.com']);
  });

  it('prints nothing when there are no findings, unless --always', async () => {
    const none = await runCli(['samples/billing.log', '--application', 'reports', '--format', 'email', '--to', 'team@example.com'], { env });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    const always = await runCli(['samples/billing.log', '--application', 'reports', '--format', 'email', '--to', 'team@example.com', '--always'], { env });
    const mail = await simpleParser(always.stdout);
    expect(mail.subject).toMatch(/no loops found/);
    expect(mail.text).toBeTruthy();
    expect(mail.html).toBeTruthy();
  });

  it('needs a recipient (exit 2)', async () => {
    const r = await runCli(['samples/billing.log', '--format', 'email'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--to');
  });
});

describe('--send', () => {
  let server: SMTPServer;
  let port = 0;
  const received: { envelope: { from: string; to: string[] }; raw: string }[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('smtp://host:port delivers the digest to a real SMTP server; nothing on stdout', async () => {
    const before = received.length;
    const r = await runAsync(['samples/billing.log', '--send', `smtp://127.0.0.1:${port}`, '--to', 'team@example.com', '--from', 'sqloupe@db1.example.com']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(received.length).toBe(before + 1);
    const got = received[received.length - 1]!;
    expect(got.envelope).toEqual({ from: 'sqloupe@db1.example.com', to: ['team@example.com'] });
    checkDigest(await simpleParser(got.raw), await ids());
  });

  it('sends nothing when there is nothing to report', async () => {
    const before = received.length;
    const r = await runAsync(['samples/billing.log', '--application', 'reports', '--send', `smtp://127.0.0.1:${port}`, '--to', 'team@example.com']);
    expect(r.code).toBe(0);
    expect(received.length).toBe(before);
  });

  it('an unreachable server is exit 2 with the reason', async () => {
    const r = await runAsync(['samples/billing.log', '--send', 'smtp://127.0.0.1:1', '--to', 'team@example.com']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('could not send');
  });

  it('sendmail:PATH runs a sendmail-compatible program with the recipients and the message on stdin', async () => {
    const out = path.join(tmp, 'sendmail.out');
    const fake = path.join(tmp, 'fake-sendmail');
    // records its arguments and the message, like an MTA's sendmail(1) would accept them
    writeFileSync(fake, `#!/bin/sh\necho "$@" > '${out}.args'\ncat > '${out}'\n`);
    chmodSync(fake, 0o755);
    const r = await runAsync(['samples/billing.log', '--send', `sendmail:${fake}`, '--to', 'team@example.com', '--from', 'sqloupe@db1.example.com']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(`${out}.args`, 'utf8')).toContain('team@example.com');
    checkDigest(await simpleParser(readFileSync(out)), await ids());
  });

  it('the pipe form `… --format email --to … | sendmail -t` hands the message to the MTA', async () => {
    const bin = path.join(tmp, 'bin');
    const out = path.join(tmp, 'piped.eml');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'sendmail'), `#!/bin/sh\n[ "$1" = "-t" ] || exit 64\ncat > '${out}'\n`);
    chmodSync(path.join(bin, 'sendmail'), 0o755);
    const line = `"${process.execPath}" "${BIN}" --format email --to team@example.com --from sqloupe@db1.example.com samples/billing.log | sendmail -t`;
    const r = spawnSync('/bin/sh', ['-c', line], { cwd: repoRoot, env: { ...process.env, ...env, PATH: `${bin}:${process.env['PATH']}` } });
    expect(r.status, r.stderr.toString()).toBe(0);
    checkDigest(await simpleParser(readFileSync(out)), await ids());
  });
});
