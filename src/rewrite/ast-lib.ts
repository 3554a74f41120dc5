/** pgsql-ast-parser, loaded on the first rewrite: a run without findings never needs it (it takes ~60 ms to load). */
import { createRequire } from 'node:module';

type AstLib = typeof import('pgsql-ast-parser');
let lib: AstLib | null = null;

export function astLib(): AstLib {
  lib ??= createRequire(import.meta.url)('pgsql-ast-parser') as AstLib;
  return lib;
}
