/** `sqloupe formats`: the input formats --input-format accepts, each with what it reads (detection picks one per file otherwise). */
import { formats } from '../formats/index.js';
import { reporters } from '../report/index.js';
import type { CliIo } from './io.js';

export function renderFormats(): string {
  const width = Math.max(...formats.map((f) => f.id.length), ...reporters.map((r) => r.id.length));
  const row = (id: string, summary: string) => `  ${id.padEnd(width)}  ${summary}`;
  return [
    'Input formats (detected per file from its first lines; --input-format ID forces one):',
    ...formats.map((f) => row(f.id, f.summary)),
    '',
    'Output formats (--format ID):',
    ...reporters.map((r) => row(r.id, r.summary)),
    '',
  ].join('\n');
}

export function runFormats(io: CliIo): number {
  io.stdout.write(renderFormats());
  return 0;
}
