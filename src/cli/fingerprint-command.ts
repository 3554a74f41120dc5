/** `sqloupe fingerprint '<sql>'`: template and id for scripts and suppressions. */
import { fingerprint } from '../sql/index.js';
import { UsageError } from './values.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function runFingerprint(sql: string | undefined, format: string): Promise<number> {
  const text = sql ?? (process.stdin.isTTY ? '' : await readStdin());
  if (text.trim() === '') throw new UsageError('fingerprint needs a statement: sqloupe fingerprint "SELECT …" (or pipe it on stdin)');
  const fp = fingerprint(text);
  process.stdout.write(format === 'json' ? JSON.stringify({ fingerprint: fp.fingerprint, template: fp.template }) + '\n' : `${fp.fingerprint}  ${fp.template}\n`);
  return 0;
}
