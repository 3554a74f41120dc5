/** Dependencies that only some runs need, loaded on first use instead of at start-up. */
import { createRequire } from 'node:module';

/**
 * A getter for `specifier`, required (its CommonJS build, so callers stay synchronous) the first time it is
 * called: each such module costs 20–60 ms of start-up that a run without its feature should not pay.
 */
export function lazyRequire<T>(specifier: string): () => T {
  let mod: T | undefined;
  return () => {
    mod ??= createRequire(import.meta.url)(specifier) as T;
    return mod;
  };
}
