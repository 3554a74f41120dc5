/**
 * `sqloupe verify --dsn URL [--finding ID …] [--allow-writes] LOG…`, and `--verify-dsn` on analyze: the analysis
 * as analyze runs it, then every loop finding's rewrite proven (or not) on the database the user names.
 */
import { Command, Option } from 'commander';
import type { AnalysisState } from '../analyze.js';
import type { AnalysisResult } from '../findings/result.js';
import type { Verification } from '../findings/types.js';
import { reporters } from '../report/index.js';
import type { AnalyzeFlags, VerifyFlags } from './flags.js';
import { parseDuration, UsageError } from './values.js';

/** Verdicts of the last run, for the verify command's exit code. */
let lastVerdicts: Verification[] = [];

/** Verify the result's findings when asked to (--verify-dsn, or the verify command); a connection problem is one line, exit 2. */
export async function verifyInto(result: AnalysisResult, states: AnalysisState[], flags: VerifyFlags & { redact?: boolean }): Promise<AnalysisResult> {
  if (flags.verifyDsn === undefined && !flags.verify) return result;
  const { verifyResult, DEFAULT_VERIFY_LIMITS, UnknownFindingError, VerifyConnectionError } = await import('../verify/index.js');
  const statementTimeoutMs = flags.statementTimeout ? parseDuration(flags.statementTimeout, '--statement-timeout') : DEFAULT_VERIFY_LIMITS.statementTimeoutMs;
  try {
    const verdicts = await verifyResult(result, states, {
      ...DEFAULT_VERIFY_LIMITS,
      statementTimeoutMs,
      dsn: flags.verifyDsn || null,
      findings: flags.finding ?? [],
      allowWrites: Boolean(flags.allowWrites),
    });
    lastVerdicts = [...verdicts.values()];
  } catch (e) {
    if (e instanceof VerifyConnectionError || e instanceof UnknownFindingError) throw new UsageError(`verify: ${e.message}`);
    throw e;
  }
  if (flags.redact) {
    // the verdict quotes rows and keys: under --redact only its outcome and measurements stay
    for (const f of result.findings) {
      const v = f.verification;
      if (!v) continue;
      v.example = null;
      if (v.status === 'different') v.message = 'different rows: the rewrite did not return what the loop did (details hidden by --redact)';
    }
  }
  return result;
}

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)];

/** The verify options analyze takes too. */
function addVerifyOptions(cmd: Command): Command {
  return cmd
    .option('--allow-writes', 'with --verify-dsn / verify: also verify loops that write, inside transactions that are always rolled back')
    .option('--finding <id>', 'verify only this finding (repeat, or comma-separated)', collect)
    .option('--statement-timeout <duration>', 'statement_timeout for each statement verify runs', '5s');
}

/** Register `verify` and analyze's `--verify-dsn`. */
export function registerVerify(
  program: Command,
  analyze: Command,
  run: (paths: string[], flags: AnalyzeFlags & VerifyFlags, cmd: Command) => Promise<number>,
  setExitCode: (code: number) => void,
): void {
  addVerifyOptions(analyze.option('--verify-dsn <url>', 'verify each rewrite on this database (see `sqloupe verify --help`)'));
  const verify = program
    .command('verify')
    .description('replay each loop and its rewrite on a real database: same rows per key, round trips and time saved')
    .argument('[paths...]', "log files, directories or globs; '-' for stdin")
    .option('--dsn <url>', 'postgres://user@host:5432/database (password from PGPASSWORD or ~/.pgpass); PG* variables fill in the rest');
  addVerifyOptions(verify)
    .addOption(new Option('-f, --format <format>', 'output format').choices(reporters.map((r) => r.id)).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--input-format <id>', 'force the log format instead of detecting it')
    .option('--prefix <log_line_prefix>', "the server's log_line_prefix")
    .option('--log-timezone <zone>', 'IANA zone for zone abbreviations in the log')
    .option('--min-repeats <n>', 'statements of one shape in one unit of work before it is a loop', '5')
    .option('-q, --quiet', 'findings only')
    .option('--color', 'force colours')
    .option('--no-color', 'no colours')
    .option('--redact', 'no literal or parameter value in any output (the database still gets the logged values)')
    .option('-c, --config <file>', 'config file')
    .addHelpText(
      'after',
      `
Reads the logs as analyze does, then for each loop finding (or each --finding):
  replays the loop with its logged values, one round trip per statement, and runs the rewrite with the same values;
  compares the rows per key (reads) or the written tables afterwards (writes, only with --allow-writes);
  measures round trips, wall time (median of repeated runs) and EXPLAIN (ANALYZE, BUFFERS) server time.
Reads run in BEGIN READ ONLY; writes in transactions that are always rolled back; statement_timeout and
lock_timeout are set; COMMIT is never sent; DDL is never run.

Exit codes: 0 every verdict verified or skipped · 1 a rewrite gave different rows or failed ·
2 usage, input or connection error (bad DSN, unreachable, permission denied)

Example:
  sqloupe verify --dsn postgres://app@staging-db:5432/app --allow-writes /var/log/postgresql/postgresql.log`,
    )
    .action(async (paths: string[], flags: Omit<AnalyzeFlags, 'idleGap' | 'failOn' | 'top'> & { dsn?: string }, cmd: Command) => {
      if (flags.dsn === undefined && !process.env['PGHOST'] && !process.env['PGDATABASE'] && !process.env['PGSERVICE']) {
        throw new UsageError('verify needs a database: --dsn postgres://user@host:5432/database (or PGHOST / PGDATABASE in the environment)');
      }
      lastVerdicts = [];
      const code = await run(
        paths,
        { idleGap: '1s', failOn: 'none', top: '10', ...flags, verify: true, verifyDsn: flags.dsn ?? '' },
        cmd,
      );
      const bad = lastVerdicts.some((v) => v.status === 'different' || v.status === 'failed');
      setExitCode(code === 2 ? 2 : Math.max(code, bad ? 1 : 0));
    });
}
