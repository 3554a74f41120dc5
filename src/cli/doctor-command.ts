/** `sqloupe doctor [path]`: print the diagnosis of one log. */
import { DEFAULT_ANALYZE_OPTIONS } from '../analyze.js';
import { diagnose, renderDiagnosis } from '../doctor.js';
import { randomBytes } from 'node:crypto';
import { checkTimezone } from './values.js';
import type { CliIo } from './io.js';

export async function runDoctor(path: string | undefined, flags: { prefix?: string; logTimezone?: string; redact?: boolean }, io: CliIo): Promise<number> {
  const options = {
    ...DEFAULT_ANALYZE_OPTIONS,
    prefix: flags.prefix ?? null,
    logTimezone: flags.logTimezone ? checkTimezone(flags.logTimezone) : null,
    redact: flags.redact ? { salt: randomBytes(16).toString('hex') } : null,
  };
  const d = await diagnose(path ?? '-', options, undefined, io.stdin);
  io.stdout.write(renderDiagnosis(d));
  return d.format === null ? 2 : 0;
}
