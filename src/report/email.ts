/** `--format email`: a complete MIME message (text + inline-styled HTML) for `| sendmail -t`, or delivered with --send. */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Transporter } from 'nodemailer';
import type { AnalysisResult } from '../findings/result.js';
import { UsageError } from '../errors.js';
import { fmtMs } from '../text/duration.js';
import type { Finding } from '../findings/types.js';
import { TOOL } from '../version.js';
import { describeInputs, repeatsText } from './markdown.js';
import { analysedRange, baselineStatus, headline } from './summary.js';
import { count } from '../text/plural.js';
import { renderHtmlPage } from './html.js';
import { renderText } from './text.js';
import { printable } from '../text/printable.js';
import { defineReporter } from './types.js';

/** In the registry so `--format email` is listed; the CLI composes the message itself (composing is asynchronous). */
export default defineReporter({
  id: 'email',
  summary: 'MIME e-mail digest (text + HTML) for `| sendmail -t`, or --send',
  render: (result, ctx) => renderText(result, { ...ctx, color: false, width: 78 }),
});

export interface EmailOptions {
  to: string[];
  from: string | null;
  subject: string | null;
  suppressedFindings: number;
  baselineUsed: boolean;
  /** Said before the findings in both parts (e.g. why a filtered run kept no statement). */
  notes?: string[];
  date?: Date;
  /** --html-attachment: the --format html page goes along as sqloupe-report.html. */
  attachHtml?: boolean;
}

/** Usage or delivery problems (exit 2). */
export class EmailError extends UsageError {}

export function defaultFrom(): string {
  return `${TOOL.name}@${hostname() || 'localhost'}`;
}

/** The headline every part of the digest shares: "[sqloupe] no new loops; 12 known loops still present (baseline) in …". */
export function defaultSubject(result: AnalysisResult): string {
  const inputs = result.inputs.length === 1 ? result.inputs[0]!.path : `${result.inputs.length} logs`;
  return printable(`[${TOOL.name}] ${headline(result)} in ${inputs} on ${hostname()}`, true);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// Gmail drops <style> and Outlook renders with Word: every style is inline, the layout is tables, the fonts are the system's
const FONT = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;";
const MONO = "font-family:Menlo,Consolas,'Courier New',monospace;font-size:12px;";
const TD = `${FONT}font-size:13px;padding:6px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top;`;
const TH = `${FONT}font-size:12px;padding:6px 8px;border-bottom:2px solid #d1d5db;text-align:left;color:#374151;background:#f9fafb;`;
const SEV_COLOR: Record<string, string> = { error: '#b91c1c', warning: '#b45309', info: '#1d4ed8' };

function badge(sev: string): string {
  return `<span style="${FONT}font-size:11px;font-weight:bold;color:#ffffff;background:${SEV_COLOR[sev] ?? '#4b5563'};padding:2px 6px;border-radius:3px;">${esc(sev)}</span>`;
}

function sqlBlock(sql: string): string {
  return `<pre style="${MONO}margin:4px 0 8px 0;padding:8px;background:#f3f4f6;border:1px solid #e5e7eb;white-space:pre-wrap;word-break:break-word;">${esc(sql.trim())}</pre>`;
}

/** What the digest says besides the findings (the baseline's part is in the headline both parts share). */
function intro(opts: EmailOptions): string {
  const notes: string[] = [];
  if (opts.suppressedFindings) notes.push(`${count(opts.suppressedFindings, 'finding')} suppressed by the config`);
  for (const n of opts.notes ?? []) notes.push(n);
  return notes.join('; ');
}

function goneHtml(result: AnalysisResult): string {
  const gone = result.baseline?.gone ?? [];
  if (gone.length === 0) return '';
  const items = gone
    .map((g) => `<li style="${FONT}font-size:13px;color:#111827;margin:2px 0;"><code style="${MONO}">${esc(g.id)}</code> ${esc(g.kind)}: ${esc(g.title)} (first seen ${esc(g.firstSeen)})</li>`)
    .join('');
  return `<tr><td style="padding:16px 0 0 0;border-top:1px solid #e5e7eb;">
<p style="${FONT}font-size:15px;font-weight:bold;color:#047857;margin:8px 0;">Gone since the baseline: ${esc(count(gone.length, 'known finding'))} not seen in this run (fixed, or outside this log's window)</p>
<ul style="margin:4px 0 0 0;padding-left:20px;">${items}</ul></td></tr>
`;
}

export function renderHtml(result: AnalysisResult, opts: EmailOptions): string {
  const s = result.summary;
  const range = analysedRange(result);
  const n = (v: number) => v.toLocaleString('en-US');
  const rows = result.findings
    .map(
      (f, i) =>
        `<tr><td style="${TD}">${i + 1}</td><td style="${TD}">${badge(f.severity)}</td><td style="${TD}">${esc(f.kind)}</td>` +
        `<td style="${TD}">${esc(f.tables.join(', ') || '–')}</td><td style="${TD}text-align:right;">${esc(repeatsText(f))}</td>` +
        `<td style="${TD}text-align:right;">${f.wastedMs === null ? '–' : esc(fmtMs(f.wastedMs))}</td></tr>`,
    )
    .join('');
  const note = intro(opts);
  const details = result.findings.map((f, i) => findingHtml(f, i + 1)).join('') + goneHtml(result);
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(opts.subject ?? defaultSubject(result))}</title></head>
<body style="margin:0;padding:0;background:#ffffff;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;"><tr><td align="center" style="padding:16px;">
<table role="presentation" width="680" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;max-width:680px;width:100%;">
<tr><td style="${FONT}font-size:20px;font-weight:bold;color:#111827;padding:0 0 8px 0;">${esc(TOOL.name)}: ${esc(headline(result))}</td></tr>
<tr><td style="${FONT}font-size:13px;color:#4b5563;padding:0 0 4px 0;">${esc(describeInputs(result))}</td></tr>
${range ? `<tr><td style="${FONT}font-size:13px;color:#4b5563;padding:0 0 4px 0;">${esc(range.from)} to ${esc(range.to)}${range.log ? ` (filtered; the log runs from ${esc(range.log.from)} to ${esc(range.log.to)})` : ''}</td></tr>` : ''}
<tr><td style="${FONT}font-size:13px;color:#4b5563;padding:0 0 12px 0;">${n(s.statements)} statements, ${n(s.sessions)} sessions, ${n(s.unitsOfWork)} units of work, ${n(s.templates)} distinct queries${note ? `. ${esc(note)}` : ''}</td></tr>
${result.findings.length === 0 ? '' : `<tr><td><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">
<tr><th style="${TH}">#</th><th style="${TH}">severity</th><th style="${TH}">kind</th><th style="${TH}">tables</th><th style="${TH}text-align:right;">repeats × units</th><th style="${TH}text-align:right;">wasted</th></tr>
${rows}</table></td></tr>`}
${details}
<tr><td style="${FONT}font-size:11px;color:#9ca3af;padding:16px 0 0 0;">${esc(TOOL.name)} ${esc(TOOL.version)} · finding ids are stable: suppress one in sqloupe.config.json or record them with --write-baseline</td></tr>
</table></td></tr></table>
</body></html>
`;
}

function findingHtml(f: Finding, index: number): string {
  const facts: [string, string | null][] = [
    ['id', f.id],
    ['baseline', baselineStatus(f)],
    ['applications', f.applications.join(', ') || null],
    ['ORM', f.orm],
    ['call site', f.callSite],
    ['time', f.totalDurationMs === null ? null : `${fmtMs(f.totalDurationMs)} in total`],
    ['confidence', `${f.evidence.confidence}: ${f.evidence.basis.join('; ')}`],
    ['verify', f.verification ? f.verification.message : null],
    ['sample', f.evidence.samples[0]?.source ?? null],
  ];
  const factRows = facts
    .filter((x): x is [string, string] => x[1] !== null)
    .map(([k, v]) => `<tr><td style="${FONT}font-size:12px;color:#6b7280;padding:2px 8px 2px 0;white-space:nowrap;vertical-align:top;">${esc(k)}</td><td style="${FONT}font-size:12px;color:#111827;padding:2px 0;">${esc(v)}</td></tr>`)
    .join('');
  const s = f.suggestion;
  const fix = s
    ? `<p style="${FONT}font-size:13px;margin:8px 0 4px 0;"><b>Fix:</b> ${esc(s.summary)}</p>` +
      `<p style="${FONT}font-size:12px;color:#6b7280;margin:4px 0 0 0;">Instead of</p>${sqlBlock(s.insteadOf)}` +
      (s.use ? `<p style="${FONT}font-size:12px;color:#047857;margin:4px 0 0 0;">Use</p>${sqlBlock(s.use)}` : '') +
      (s.orm ? `<p style="${FONT}font-size:13px;margin:4px 0;"><b>${esc(s.orm.name)}:</b> ${esc(s.orm.advice)}</p>` : '')
    : '';
  return `<tr><td style="padding:16px 0 0 0;border-top:1px solid #e5e7eb;">
<p style="${FONT}font-size:15px;font-weight:bold;color:#111827;margin:8px 0;">${index}. ${badge(f.severity)} ${esc(f.title)}</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">${factRows}</table>
${fix}</td></tr>
`;
}

export function renderPlain(result: AnalysisResult, opts: EmailOptions): string {
  const note = intro(opts);
  return (note ? `${note}.\n\n` : '') + renderText(result, { color: false, quiet: false, width: 78 });
}

/** The whole message, RFC 5322 with CRLF line ends (as SMTP wants them). */
export async function composeEmail(result: AnalysisResult, opts: EmailOptions): Promise<Buffer> {
  if (opts.to.length === 0) throw new EmailError('--format email needs a recipient: --to team@example.com (or "email": {"to": …} in sqloupe.config.json)');
  const subject = opts.subject ?? defaultSubject(result);
  // nodemailer is loaded when a digest is composed: the registry lists this reporter on every run
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const composer = new MailComposer({
    from: opts.from ?? defaultFrom(),
    to: opts.to,
    subject,
    date: opts.date ?? new Date(),
    text: renderPlain(result, opts),
    html: renderHtml(result, { ...opts, subject }),
    headers: { 'X-Mailer': `${TOOL.name} ${TOOL.version}` },
    attachments: opts.attachHtml ? [{ filename: 'sqloupe-report.html', contentType: 'text/html; charset=utf-8', content: renderHtmlPage(result) }] : [],
  });
  return composer.compile().build();
}

/** For a pipe into `sendmail -t`: local mail tools expect the host's line ends. */
export function toUnixNewlines(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('utf8').replace(/\r\n/g, '\n'), 'utf8');
}

/** `--send sendmail[:path]` or `--send smtp://host:port` (smtps:// for TLS). Returns a line saying where it went. */
export async function sendEmail(raw: Buffer, spec: string, envelope: { from: string; to: string[] }): Promise<string> {
  const { default: nodemailer } = await import('nodemailer');
  let transport: Transporter;
  if (spec === 'sendmail' || spec.startsWith('sendmail:')) {
    const path = spec.slice('sendmail:'.length) || '/usr/sbin/sendmail';
    transport = nodemailer.createTransport({ sendmail: true, newline: 'unix', path });
  } else if (/^smtps?:\/\//.test(spec)) {
    transport = nodemailer.createTransport(spec);
  } else {
    throw new EmailError(`--send must be sendmail, sendmail:/path/to/sendmail, smtp://host:port or smtps://host:port. Received "${spec}".`);
  }
  try {
    await transport.sendMail({ envelope, raw });
  } catch (e) {
    throw new EmailError(`could not send the digest with ${spec}: ${(e as Error).message}`);
  } finally {
    transport.close();
  }
  return `sent the digest to ${envelope.to.join(', ')} with ${spec.replace(/\/\/[^@/]*@/, '//')}`;
}

export interface DigestFlags {
  to?: string;
  from?: string;
  subject?: string;
  send?: string;
  always?: boolean;
  output?: string;
  quiet?: boolean;
  htmlAttachment?: boolean;
}

const list = (v: string | undefined) => (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);

/**
 * The cron path: nothing is printed or sent when there is nothing (new) to report, unless --always, so that
 * `| sendmail -t` and cron's MAILTO stay silent on quiet days. Otherwise print the message, write it, or --send it.
 */
export async function deliverDigest(
  result: AnalysisResult,
  held: { suppressed: number; baselineUsed: boolean; notes?: string[] },
  flags: DigestFlags,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } },
): Promise<'empty' | 'printed' | 'written' | 'sent'> {
  const to = list(flags.to);
  if (to.length === 0) throw new EmailError('--format email needs a recipient: --to team@example.com (or "email": {"to": …} in sqloupe.config.json)');
  if (result.findings.length === 0 && !flags.always) return 'empty';
  const from = flags.from ?? defaultFrom();
  const raw = await composeEmail(result, {
    to,
    from,
    subject: flags.subject ?? null,
    suppressedFindings: held.suppressed,
    baselineUsed: held.baselineUsed,
    notes: held.notes ?? [],
    attachHtml: Boolean(flags.htmlAttachment),
  });
  if (flags.send) {
    const said = await sendEmail(raw, flags.send, { from: bareAddress(from), to: to.map(bareAddress) });
    if (!flags.quiet && io.stderr.isTTY) io.stderr.write(`sqloupe: ${said}\n`);
    return 'sent';
  }
  if (flags.output) {
    writeFileSync(flags.output, toUnixNewlines(raw));
    return 'written';
  }
  io.stdout.write(toUnixNewlines(raw));
  return 'printed';
}

/** `Team <team@example.com>` → `team@example.com` for the SMTP envelope. */
function bareAddress(a: string): string {
  const m = /<([^>]+)>/.exec(a);
  return (m ? m[1]! : a).trim();
}
