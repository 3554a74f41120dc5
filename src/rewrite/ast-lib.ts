/** pgsql-ast-parser, loaded on the first rewrite: a run without findings never needs it (it takes ~60 ms to load). */
import { lazyRequire } from '../lazy-require.js';

export const astLib = lazyRequire<typeof import('pgsql-ast-parser')>('pgsql-ast-parser');
