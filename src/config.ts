/** `sqloupe.config.json`: zod schema (strict, so a typo is a usage error; built only when a file is read), upward discovery, and merging under the CLI flags. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { z as Zod } from 'zod';
import { UsageError } from './errors.js';
import { lazyRequire } from './lazy-require.js';
import { FINDING_KINDS } from './detect/registry.js';

export const CONFIG_FILE = 'sqloupe.config.json';

/** Kept in sync with src/report/index.ts by a test (importing the registry here would make config depend on every reporter). */
export const OUTPUT_FORMATS = ['text', 'json', 'ndjson', 'markdown', 'sarif', 'email', 'html'] as const;

/** The config's zod schemas, built on first use: zod takes ~40 ms to load, and most runs have no config file. */
function buildSchemas(z: typeof Zod) {
  const durationString = z.string().regex(/^\d+(?:\.\d+)?\s*(ms|s|m|h|d|w)$/, 'a duration like 250ms, 30s, 30m, 24h or 7d');
  /** Filters and recipients accept one value or a list; the CLI takes a comma-separated list for the same keys. */
  const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
  const severity = z.enum(['none', 'info', 'warning', 'error']);
  const suppressionSchema = z
    .strictObject({
      id: z.string().min(1).optional().describe('a finding id, as printed in every report'),
      fingerprint: z.string().min(1).optional().describe('a statement fingerprint (`sqloupe fingerprint "<sql>"`)'),
      table: z.string().min(1).optional().describe('a table the finding touches'),
      application: z.string().min(1).optional().describe('an application_name the finding was seen in'),
      kind: z.enum(FINDING_KINDS).optional().describe('a finding kind'),
      reason: z
        .string({ error: (iss) => (iss.input === undefined ? 'a reason is required: say why this finding is accepted' : 'must be a string') })
        .trim()
        .min(1, 'a reason is required: say why this finding is accepted').describe('why this is accepted (required)'),
      expires: z.iso.date().optional().describe('YYYY-MM-DD after which the suppression stops applying'),
    })
    .refine((s) => s.id !== undefined || s.fingerprint !== undefined || s.table !== undefined || s.application !== undefined || s.kind !== undefined, {
      message: 'a suppression needs at least one of id, fingerprint, table, application or kind',
    });

  const configSchema = z
    .strictObject({
      $schema: z.string().optional(),
      input: z
        .strictObject({
          format: z.string().min(1).optional().describe('force a log format (see `sqloupe formats`)'),
          prefix: z.string().min(1).optional().describe("the server's log_line_prefix"),
          logTimezone: z.string().min(1).optional().describe('IANA zone for zone abbreviations and local --since/--until'),
        })
        .optional(),
      thresholds: z
        .strictObject({
          minRepeats: z.int().min(2).optional().describe('statements of one shape in one unit of work before it is a loop (default 5)'),
          minParentRepeats: z
            .int()
            .min(2)
            .optional()
            .describe('statements back to back right after their parent query, each with a different key, before it is a loop (default 2)'),
          minSequenceRepeats: z.int().min(2).optional().describe('repeats of a 2–8 statement block before it is a repeated sequence (default 3)'),
          minDuplicates: z.int().min(2).optional().describe('identical statements in one unit before it is a duplicate (default 3)'),
          unboundedRows: z.int().min(1).optional().describe('logged rows above which a SELECT is an unbounded fetch (default 1000)'),
          unboundedMs: z.number().min(0).optional().describe('mean ms above which a SELECT with no LIMIT and no predicate is an unbounded fetch (default 100)'),
          idleGap: durationString.optional().describe('a pause that ends an autocommit unit of work (default 1s)'),
        })
        .optional(),
      filters: z
        .strictObject({
          since: z.string().min(1).optional().describe('only records at or after: 24h, 30m, 2024-05-01 14:00, 14:00'),
          until: z.string().min(1).optional().describe('only records at or before'),
          database: oneOrMany.optional(),
          user: oneOrMany.optional(),
          application: oneOrMany.optional(),
        })
        .optional(),
      output: z
        .strictObject({
          format: z.enum(OUTPUT_FORMATS).optional(),
          file: z.string().min(1).optional().describe('write the report here instead of stdout (relative to this file)'),
          top: z.int().min(0).optional(),
          quiet: z.boolean().optional(),
          failOn: severity.optional().describe('exit 1 when a finding is at or above this severity'),
          progress: z.boolean().optional(),
        })
        .optional(),
      email: z
        .strictObject({
          to: oneOrMany.optional(),
          from: z.string().min(1).optional(),
          subject: z.string().min(1).optional(),
          send: z
            .string()
            .regex(/^(sendmail(:.+)?|smtps?:\/\/.+)$/, 'sendmail, sendmail:/path/to/sendmail, smtp://host:port or smtps://host:port')
            .optional(),
          always: z.boolean().optional().describe('send (or print) the digest even when there is nothing new'),
        })
        .optional(),
      baseline: z
        .strictObject({
          file: z.string().min(1).optional().describe('baseline to compare against (relative to this file)'),
          worseFactor: z.number().gt(1).optional().describe('a known finding is reported again when its repeats, units of work or wasted time grow by this factor (default 2)'),
          worseMinTime: z
            .string()
            .regex(/^\d+(\.\d+)?\s*(ms|s|m|h)$/, 'a duration like 100ms, 2s or 1m')
            .optional()
            .describe('wasted time counts as worse only when it also grew by at least this much (default 100ms)'),
        })
        .optional(),
      suppressions: z.array(suppressionSchema).optional(),
    })
    .describe('sqloupe configuration (sqloupe.config.json). Command-line flags override every key.');
  return { suppression: suppressionSchema, config: configSchema };
}

const zodModule = lazyRequire<{ z: typeof Zod }>('zod');
/** zod, loaded when a config or baseline file is read. */
export const loadZod = (): typeof Zod => zodModule().z;

type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | null = null;
function schemas(): Schemas {
  built ??= buildSchemas(loadZod());
  return built;
}

export type Config = Zod.infer<Schemas['config']>;
export type Suppression = Zod.infer<Schemas['suppression']>;

/** A usage error (exit 2): the CLI prints the message as is. */
export class ConfigError extends UsageError {}

export interface LoadedConfig {
  /** null when no file was found (an empty config). */
  path: string | null;
  config: Config;
}

/** Where the config comes from: --config, else upward from cwd to the git root or $HOME, else $XDG_CONFIG_HOME. */
export function findConfig(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | null {
  const home = path.resolve(env['HOME'] ?? homedir());
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    // the search stops at a repository root or at $HOME, so a config elsewhere on the machine never leaks in
    if (dir === home || existsSync(path.join(dir, '.git'))) break;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // cron runs jobs with cwd = $HOME, so the per-user file is the one a cron job finds
  const xdg = env['XDG_CONFIG_HOME'] && path.isAbsolute(env['XDG_CONFIG_HOME']) ? env['XDG_CONFIG_HOME'] : path.join(home, '.config');
  const user = path.join(xdg, 'sqloupe', 'config.json');
  return existsSync(user) ? user : null;
}

function describeIssue(issue: Zod.core.$ZodIssue): string {
  const where = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `unknown key "${where ? `${where}.` : ''}${k}"`).join('; ');
  }
  return `${where || '(top level)'}: ${issue.message}`;
}

/** Parse and validate one config document; every problem is named by its key path. */
export function parseConfig(text: string, file: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const r = schemas().config.safeParse(raw);
  if (!r.success) {
    throw new ConfigError(`${file}: ${r.error.issues.map(describeIssue).join('; ')}. See schema/sqloupe.config.schema.json.`);
  }
  return resolvePaths(r.data, path.dirname(path.resolve(file)));
}

/** Paths inside a config file are relative to that file, not to wherever cron happens to start. */
function resolvePaths(c: Config, dir: string): Config {
  const out: Config = { ...c };
  if (c.output?.file) out.output = { ...c.output, file: path.resolve(dir, c.output.file) };
  if (c.baseline?.file) out.baseline = { ...c.baseline, file: path.resolve(dir, c.baseline.file) };
  return out;
}

export function loadConfig(explicit: string | undefined, cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = explicit ?? findConfig(cwd, env);
  if (file === null) return { path: null, config: {} };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return { path: file, config: parseConfig(text, file) };
}

/** The JSON Schema published as schema/sqloupe.config.schema.json (regenerated by a test when it drifts). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...(loadZod().toJSONSchema(schemas().config, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>),
    title: 'sqloupe.config.json',
  };
}

export const joinList = (v: string | string[] | undefined): string | undefined => (v === undefined ? undefined : Array.isArray(v) ? v.join(',') : v);

/** Where a flag's value came from, as commander reports it ('cli', 'env', 'default', …). */
export type OptionSource = (key: string) => string | undefined;

/** CLI flags (camelCase, as commander names them) fed by each config key; flags given on the command line win. */
function flagValuesFrom(c: Config): Record<string, string | boolean | undefined> {
  const str = (v: number | undefined) => (v === undefined ? undefined : String(v));
  return {
    format: c.output?.format,
    output: c.output?.file,
    top: str(c.output?.top),
    quiet: c.output?.quiet,
    failOn: c.output?.failOn,
    progress: c.output?.progress,
    inputFormat: c.input?.format,
    prefix: c.input?.prefix,
    logTimezone: c.input?.logTimezone,
    since: c.filters?.since,
    until: c.filters?.until,
    database: joinList(c.filters?.database),
    user: joinList(c.filters?.user),
    application: joinList(c.filters?.application),
    minRepeats: str(c.thresholds?.minRepeats),
    minParentRepeats: str(c.thresholds?.minParentRepeats),
    idleGap: c.thresholds?.idleGap,
    to: joinList(c.email?.to),
    from: c.email?.from,
    subject: c.email?.subject,
    send: c.email?.send,
    always: c.email?.always,
    baseline: c.baseline?.file,
    worseFactor: str(c.baseline?.worseFactor),
    worseMinTime: c.baseline?.worseMinTime,
  };
}

export function mergeConfig<T extends object>(flags: T, config: Config, source: OptionSource): T {
  const out = { ...flags } as Record<string, unknown>;
  for (const [key, value] of Object.entries(flagValuesFrom(config))) {
    if (value === undefined) continue;
    const from = source(key);
    const explicit = from !== undefined ? from !== 'default' && from !== 'implied' : out[key] !== undefined;
    if (!explicit) out[key] = value;
  }
  return out as T;
}

/** Thresholds that have no flag of their own. */
export function configThresholds(config: Config): Partial<Record<'minSequenceRepeats' | 'minDuplicates' | 'unboundedRows' | 'unboundedMs', number>> {
  const t = config.thresholds ?? {};
  const out: Partial<Record<'minSequenceRepeats' | 'minDuplicates' | 'unboundedRows' | 'unboundedMs', number>> = {};
  if (t.minSequenceRepeats !== undefined) out.minSequenceRepeats = t.minSequenceRepeats;
  if (t.minDuplicates !== undefined) out.minDuplicates = t.minDuplicates;
  if (t.unboundedRows !== undefined) out.unboundedRows = t.unboundedRows;
  if (t.unboundedMs !== undefined) out.unboundedMs = t.unboundedMs;
  return out;
}

/** Load the config (--config or discovered) and fold it under the flags; `--send` alone implies `--format email`. */
export function configureFlags<T extends { config?: string; format: string; send?: string }>(
  flags: T,
  source: OptionSource,
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): { flags: T; config: Config; path: string | null } {
  const loaded = loadConfig(flags.config, cwd, env);
  const merged = mergeConfig(flags, loaded.config, source);
  if (merged.send !== undefined && merged.format !== 'email') {
    const explicit = source('format') === 'cli' || (loaded.config.output?.format !== undefined && source('format') !== 'cli');
    if (explicit) throw new ConfigError(`--send delivers the e-mail digest; it needs --format email (the format is ${merged.format})`);
    merged.format = 'email';
  }
  return { flags: merged, config: loaded.config, path: loaded.path };
}
