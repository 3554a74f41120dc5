// Shared by the Node drivers: the pause rhythm, the loop helper and the scenario runner.
import fs from 'node:fs';
import { rng } from '../schema.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The loop context of one request: the pause between iterations and how the loop runs. */
export function loopContext(sc, r, onIteration) {
  const pause = async () => {
    if (sc.rhythm === 'slow') await sleep(3);
    else if (sc.rhythm === 'jitter') await sleep(r() * 10);
  };
  return {
    pause,
    async each(items, fn) {
      if (sc.connection === 'fanout') {
        await Promise.all(items.map(async (x) => { onIteration(); await fn(x); }));
        return;
      }
      for (const x of items) {
        onIteration();
        await fn(x);
        await pause();
      }
    },
  };
}

/** Memoise a lookup by key, as an identity map or a hand-made cache does. */
export function memo() {
  const m = new Map();
  return (key, load) => {
    if (!m.has(key)) m.set(key, load());
    return m.get(key);
  };
}

/**
 * Run every scenario of the spec with the ORM's adapter, write results (iterations per scenario).
 * adapter.open(sc, role) → { run(shape, role, ctx, tag), close() }
 */
export async function runSpec(specPath, adapter) {
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
  const results = {};
  for (const sc of spec.scenarios) {
    const r = rng(sc.seed * 31 + (sc.role === 'neg' ? 1 : 0));
    let iterations = 0;
    const session = await adapter.open(spec.pg, sc);
    try {
      const requests = sc.shape === 'independent-requests' ? sc.size : sc.connection === 'pool' ? spec.pool.requests : 1;
      const concurrency = sc.connection === 'pool' ? spec.pool.connections : 1;
      let next = 0;
      const worker = async () => {
        while (next < requests) {
          const n = next++;
          const ctx = { ...loopContext(sc, r, () => iterations++), k: sc.size, tag: `${sc.app}-r${n}`, n, sc };
          await session.run(sc.shape, sc.role, ctx);
          if (sc.shape === 'independent-requests') await ctx.pause();
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    } finally {
      await session.close();
    }
    results[sc.app] = { iterations };
    process.stderr.write(`  ${sc.app} ${sc.shape} ${sc.connection} ${sc.rhythm} k=${sc.size}: ${iterations} iterations\n`);
  }
  fs.writeFileSync(spec.results, JSON.stringify(results, null, 2) + '\n');
}
