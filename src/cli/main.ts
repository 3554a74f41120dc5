/** The sqloupe command line: commander program, colour policy, exit codes, and the one-line error rule. */
import { Command, CommanderError, Option } from 'commander';
import { runAnalyze, type AnalyzeFlags } from './analyze-command.js';
import { runDoctor } from './doctor-command.js';
import { runFingerprint } from './fingerprint-command.js';
import { runFormats } from './formats-command.js';
import { registerVerify } from './verify-command.js';
import { colorFor } from './color.js';
import { reporters } from '../report/index.js';
import { UsageError } from './values.js';
import { InputError } from '../input/sources.js';
import { TOOL } from '../version.js';
import type { CliIo } from './io.js';

/** Exit codes, documented in --help and the README. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/** The one-line message for a user's mistake, or the report-it message (and the stack with --debug) for ours. */
export function failure(e: unknown, io: CliIo): number {
  if (e instanceof UsageError || e instanceof InputError) {
    io.stderr.write(`sqloupe: ${e.message}\n`);
  } else {
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr.write(
      `sqloupe ${TOOL.version}: unexpected error: ${msg}\n` +
        (io.argv.includes('--debug') ? `${(e as Error)?.stack ?? ''}\n` : 'Run again with --debug for details, and please report it with the first lines of the log.\n'),
    );
  }
  return EXIT.usage;
}

/** Run one command line; resolves to its exit code. Errors are reported on io.stderr, never thrown. */
export async function main(io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command();
  program
    .name('sqloupe')
    .description('Find N+1 queries, per-row writes and other database loops in PostgreSQL and ORM logs, with the set-based rewrite for each.')
    .version(TOOL.version, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run sqloupe --help)')
    .addHelpText('after', '\nRun `sqloupe analyze --help` for every option, examples (cron, CI, baseline) and the exit codes:\n  0 ok · 1 a finding at or above --fail-on · 2 usage, config or input error')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      getOutHasColors: () => colorFor(io.stdout, io.argv),
      getErrHasColors: () => colorFor(io.stderr, io.argv),
    });

  const analyze = program
    .command('analyze', { isDefault: true })
    .description('analyze logs (the default command)')
    .argument('[paths...]', "log files, directories or globs; '-' or a pipe for stdin")
    .addOption(new Option('-f, --format <format>', 'output format').choices(reporters.map((r) => r.id)).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--input-format <id>', 'force the log format instead of detecting it (see `sqloupe formats`)')
    .option('--prefix <log_line_prefix>', "the server's log_line_prefix, e.g. '%m [%p] %q%u@%d '")
    .option('--log-timezone <zone>', 'IANA zone for zone abbreviations in the log (EEST, CST…) and for local --since/--until')
    .option('--since <time>', 'only records at or after: 24h, 30m, 2024-05-01 14:00, 14:00')
    .option('--until <time>', 'only records at or before (same forms as --since)')
    .option('--database <names>', 'only these databases (comma-separated)')
    .option('--user <names>', 'only these users (comma-separated)')
    .option('--application <names>', 'only these application_name values (comma-separated)')
    .option('--min-repeats <n>', 'statements of one shape in one unit of work before it is a loop', '5')
    .option('--min-parent-repeats <n>', 'the same, for statements back to back right after their parent query, each with a different key (default 2, or --min-repeats when that is raised above 5)')
    .option('--idle-gap <duration>', 'a pause that ends an autocommit unit of work', '1s')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['none', 'info', 'warning', 'error']).default('none'))
    .option('--top <n>', 'top queries to list', '10')
    .option('-q, --quiet', 'findings only: no header, no top queries')
    .option('--color', 'force colours')
    .option('--no-color', 'no colours (NO_COLOR=1 does the same)')
    .option('--debug', 'print stack traces of unexpected errors')
    .option('--redact', 'no literal or parameter value in any output: statements shown as templates ($1, $2 …), values dropped')
    .option('-c, --config <file>', 'config file (default: sqloupe.config.json found upward from here, then $XDG_CONFIG_HOME/sqloupe/config.json)')
    .option('--baseline <file>', 'report only findings that are new or got worse since this baseline')
    .option('--write-baseline <file>', "record this run's findings as a baseline")
    .option('--worse-factor <n>', 'a known finding is reported again when its repeats, units of work or wasted time grow by this factor (default 2)')
    .option('--worse-min-time <duration>', 'wasted time counts as worse only when it also grew by at least this much (default 100ms): timing noise is not news')
    .option('--to <addresses>', 'e-mail recipients for --format email (comma-separated)')
    .option('--from <address>', 'e-mail sender (default sqloupe@<hostname>)')
    .option('--subject <text>', 'e-mail subject (default: counts and inputs)')
    .option('--send <how>', 'deliver the e-mail: sendmail, sendmail:/path/to/sendmail, smtp://host:port (implies --format email)')
    .option('--always', 'print or send the e-mail even when there is nothing (new) to report')
    .option('--html-attachment', 'attach the --format html page to the e-mail digest')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--no-progress', 'never show progress')
    .option('--follow', 'follow growing files like tail -F (or - for stdin); print each finding as its unit of work closes (text or ndjson), a summary on Ctrl-C/SIGTERM')
    .option('-j, --jobs <n>', 'analyze several files in parallel on this many threads (default: the number of cores)')
    .option('--save-state <file>', 'also write the mergeable state of this run (see `sqloupe merge`)')
    .option('--merge', 'the paths are state files from --save-state: report on all of them as one run (what `sqloupe merge` does)')
    .addHelpText(
      'after',
      `
Examples:
  sqloupe samples/billing.log                       # in a checkout: the bundled sample
  tail -F /var/log/postgresql/postgresql.log | sqloupe -
  zcat postgresql-*.log.gz | sqloupe - --format json
  sqloupe --follow --format ndjson /var/log/postgresql/postgresql.log   # live: one finding per line
  sqloupe --since 14:00 --until 14:30 --application billing incident.log
  sqloupe --write-baseline known.json pg.log        # record today's findings
  sqloupe --baseline known.json --fail-on warning pg.log   # CI: fail only on new ones
  # cron: mail only what is new since the baseline; silent (and exit 0) otherwise
  sqloupe --since 24h --baseline known.json --format email --to team@example.com /var/log/postgresql/*.log | sendmail -t

Exit codes:
  0  ran; no finding at or above --fail-on (default none: never fails on findings)
  1  a finding at or above --fail-on (after suppressions and --baseline)
  2  usage error (bad flag or value, invalid config or baseline), unreadable input,
     no line understood, or an unexpected error

Colours: only on a terminal; NO_COLOR=1 (or TERM=dumb) turns them off, --color/--no-color decide over both.
Config: sqloupe.config.json (see schema/sqloupe.config.schema.json); command-line flags override it.`,
    )
    .action(async (paths: string[], flags: AnalyzeFlags, cmd: Command) => {
      code = await runAnalyze(paths, flags, (key) => cmd.getOptionValueSource(key), io);
    });
  registerVerify(program, analyze, async (paths, flags, cmd) => runAnalyze(paths, flags, (key) => cmd.getOptionValueSource(key), io), (c) => (code = c));

  // listed for --help only: `sqloupe merge …` is rewritten to `analyze --merge …` before parsing (below)
  program
    .command('merge')
    .description('report on states saved with --save-state as one run (takes every analyze option)')
    .argument('<state...>', 'state files');

  program
    .command('fingerprint')
    .description('print the normalized template and fingerprint id of a statement (SQL as argument or on stdin)')
    .argument('[sql]', 'the statement; read from stdin when omitted')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (sql: string | undefined, flags: { format: string }) => {
      code = await runFingerprint(sql, flags.format, io);
    });

  program
    .command('formats')
    .description('list the input formats (for --input-format) and the output formats (for --format)')
    .action(() => {
      code = runFormats(io);
    });

  program
    .command('doctor')
    .description('say what a log can and cannot support, and the postgresql.conf lines to add')
    .argument('[path]', "a log file, or '-' for stdin")
    .option('--prefix <log_line_prefix>', 'check this log_line_prefix instead of detecting one')
    .option('--log-timezone <zone>', 'IANA zone for zone abbreviations')
    .option('--redact', 'quote no text from the log (the first non-English message is named by its severity only)')
    .action(async (path: string | undefined, flags: { prefix?: string; logTimezone?: string; redact?: boolean }) => {
      code = await runDoctor(path, flags, io);
    });

  // `sqloupe merge STATE…` is analyze over saved states: every report option applies to it
  const argv = io.argv[0] === 'merge' ? ['analyze', '--merge', ...io.argv.slice(1)] : io.argv;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander exits 1 on usage errors; 2 is ours for usage. Help and version are success.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    return failure(e, io);
  }
  return code;
}
