/** `sqloupe fingerprint '<sql>'`: template and id for scripts and suppressions. */
import { fingerprint } from '../sql/index.js';
import { UsageError } from './values.js';
import type { CliIo, TextIn } from './io.js';

async function readAll(stdin: TextIn): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

export async function runFingerprint(sql: string | undefined, format: string, io: CliIo): Promise<number> {
  const text = sql ?? (io.stdin.isTTY ? '' : await readAll(io.stdin));
  if (text.trim() === '') throw new UsageError('fingerprint needs a statement: sqloupe fingerprint "SELECT …" (or pipe it on stdin)');
  const fp = fingerprint(text);
  io.stdout.write(format === 'json' ? JSON.stringify({ fingerprint: fp.fingerprint, template: fp.template }) + '\n' : `${fp.fingerprint}  ${fp.template}\n`);
  return 0;
}
