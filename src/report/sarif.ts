/** `--format sarif`: SARIF 2.1.0 for code-scanning dashboards: a rule per finding kind, the finding id as partial fingerprint. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { AnalysisResult } from '../findings/result.js';
import { FINDING_KINDS, kindMeta } from '../detect/registry.js';
import { kindDocsPage, kindDocsUrl } from '../version.js';
import type { Finding, Severity } from '../findings/types.js';
import { TOOL } from '../version.js';
import { printableJson } from '../text/printable.js';
import { defineReporter } from './types.js';
import { sentence } from '../text/plural.js';

export default defineReporter({
  id: 'sarif',
  summary: 'SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps)',
  render: (result) => printableJson(JSON.stringify(toSarif(result), null, 2)) + '\n',
});

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The key under partialFingerprints: versioned, so a change of id scheme shows up as new alerts rather than wrong matches. */
export const FINGERPRINT_KEY = 'sqloupeFindingId/v1';

/** The kind's docs page as the rule's help, so code scanning shows it without following a link. */
function helpPage(kind: string): { markdown?: string } {
  const page = kindDocsPage(kind);
  return page === null ? {} : { markdown: page };
}

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note' };

/** `file:line[:col]` as the formats write call sites (Rails ↳, GORM, sqlcommenter) and log sources. */
export function parseFileLine(s: string): { file: string; line: number } | null {
  const m = /^(.+?):(\d+)(?::\d+)?(?::in\b.*|\s.*)?$/.exec(s.trim());
  if (!m || /\s/.test(m[1]!)) return null;
  const line = Number(m[2]);
  return line >= 1 ? { file: m[1]!, line } : null;
}

/** Code scanning needs repository-relative URIs: relative paths stay, absolute ones under cwd become relative, others file://. */
export function artifactUri(file: string, cwd: string = process.cwd()): string {
  if (!path.isAbsolute(file)) return file.split(path.sep).join('/').replace(/^\.\//, '');
  const rel = path.relative(cwd, file);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  return pathToFileURL(file).href;
}

function physical(file: string, line: number, cwd: string): Sarif.Location {
  return { physicalLocation: { artifactLocation: { uri: artifactUri(file, cwd) }, region: { startLine: line } } };
}

function logSource(f: Finding): string | null {
  return f.units[0]?.source ?? f.evidence.samples[0]?.source ?? null;
}

/** A log path no artifact URI names: stdin, or a name with control characters (a newline splits `file:line`). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** `file:line` of a log source, read from the right: the file part may hold anything, even colons and newlines. */
function logFileLine(src: string): { file: string; line: number } | null {
  const m = /^([\s\S]+):(\d+)$/.exec(src);
  return m ? { file: m[1]!, line: Number(m[2]) } : null;
}

const unnameable = (file: string) => file === '<stdin>' || CONTROL.test(file);

/**
 * Where a result points: the call site when the log names a file:line, else the log file and line of the first
 * loop statement; for a log no URI can name, a logical location (`<stdin>:LINE`) and `from: 'logical'`.
 */
export function locate(f: Finding, cwd: string = process.cwd()): { location: Sarif.Location; from: 'call-site' | 'log' | 'logical' } | null {
  const site = f.callSite ? parseFileLine(f.callSite) : null;
  if (site && !unnameable(site.file)) return { location: physical(site.file, site.line, cwd), from: 'call-site' };
  const src = logSource(f);
  const at = src ? logFileLine(src) : null;
  if (!at) return null;
  if (unnameable(at.file)) {
    const name = `${JSON.stringify(at.file).slice(1, -1)}:${at.line}`;
    return { location: { logicalLocations: [{ fullyQualifiedName: name, kind: 'module' }] }, from: 'logical' };
  }
  return { location: physical(at.file, at.line, cwd), from: 'log' };
}

function resultFor(f: Finding, cwd: string): Sarif.Result | null {
  const where = locate(f, cwd);
  if (where === null) return null;
  const location: Sarif.Location = { ...where.location };
  // a call site that is not a file (Prisma's Model.action) still helps a reader: keep it as a logical location
  if (f.callSite && where.from !== 'call-site') location.logicalLocations = [...(location.logicalLocations ?? []), { fullyQualifiedName: f.callSite, kind: 'function' }];
  const related: Sarif.Location[] = [];
  const src = logSource(f);
  const srcAt = src ? logFileLine(src) : null;
  if (where.from === 'call-site' && srcAt && !unnameable(srcAt.file)) {
    related.push({ id: 0, ...physical(srcAt.file, srcAt.line, cwd), message: { text: 'first statement of the loop in the log' } });
  }
  const s = f.suggestion;
  const text = [f.title + '.', s ? `Fix: ${sentence(s.summary)}` : null, f.applications.length ? `Applications: ${f.applications.join(', ')}.` : null]
    .filter(Boolean)
    .join(' ');
  const result: Sarif.Result = {
    ruleId: f.kind,
    ruleIndex: FINDING_KINDS.indexOf(f.kind),
    level: LEVEL[f.severity],
    message: { text },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: f.id },
    properties: {
      findingId: f.id,
      fingerprint: f.fingerprint,
      tables: f.tables,
      repeats: f.repeats,
      occurrences: f.occurrences,
      totalDurationMs: f.totalDurationMs,
      wastedMs: f.wastedMs,
      confidence: f.evidence.confidence,
      template: f.template,
      ...(s ? { insteadOf: s.insteadOf, use: s.use } : {}),
      ...(f.orm ? { orm: f.orm } : {}),
      ...(f.verification ? { verification: f.verification.status, verificationMessage: f.verification.message } : {}),
    },
  };
  if (related.length) result.relatedLocations = related;
  return result;
}

export function toSarif(result: AnalysisResult, cwd: string = process.cwd()): Sarif.Log {
  const results: Sarif.Result[] = [];
  let unlocated = 0;
  let logical = 0;
  for (const f of result.findings) {
    const r = resultFor(f, cwd);
    if (r === null) unlocated++;
    else {
      results.push(r);
      if (r.locations![0]!.physicalLocation === undefined) logical++;
    }
  }
  const notifications: Sarif.Notification[] = [];
  if (logical > 0) {
    const from = result.inputs.some((i) => i.path === '<stdin>') ? 'standard input' : 'a log whose path has control characters';
    notifications.push({
      level: 'warning',
      descriptor: { id: 'logical-locations' },
      message: {
        text:
          `${logical} result${logical === 1 ? '' : 's'} point${logical === 1 ? 's' : ''} into ${from}, which no artifact URI can name: ` +
          'each has a logical location (log:line) instead of a file. Code scanning uploads need files: save the log to a file with a plain name and analyze that.',
      },
    });
  }
  if (unlocated > 0) {
    notifications.push({ level: 'warning', descriptor: { id: 'unlocated' }, message: { text: `${unlocated} finding${unlocated === 1 ? '' : 's'} had no log line or call site to point at and ${unlocated === 1 ? 'is' : 'are'} left out` } });
  }
  const rules: Sarif.ReportingDescriptor[] = FINDING_KINDS.map((k) => ({
    id: k,
    name: kindMeta(k).sarif.name,
    shortDescription: { text: kindMeta(k).sarif.short },
    fullDescription: { text: kindMeta(k).sarif.full },
    help: { text: kindMeta(k).sarif.full, ...helpPage(k) },
    helpUri: kindDocsUrl(k),
    defaultConfiguration: { level: 'warning' },
    properties: { tags: ['performance', 'sql', 'postgresql'] },
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL.name, version: TOOL.version, semanticVersion: TOOL.version, rules } },
        invocations: [{ executionSuccessful: true, ...(notifications.length ? { toolExecutionNotifications: notifications } : {}) }],
        results,
        properties: {
          fingerprintAlgorithm: result.fingerprintAlgorithm,
          inputs: result.inputs.map((i) => i.path),
          statements: result.summary.statements,
          // results with only a logical location (stdin), and findings left out for want of any location
          logicalOnlyResults: logical,
          unlocatedFindings: unlocated,
        },
      },
    ],
  };
}
