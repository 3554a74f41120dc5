/** Worker thread for --jobs: analyzes one input per message and posts its state back. */
import { parentPort } from 'node:worker_threads';
import { analyzeToState, type AnalyzeOptions } from './analyze.js';
import type { InputSource } from './input/sources.js';

parentPort!.on('message', (msg: { source: InputSource; options: AnalyzeOptions }) => {
  analyzeToState([msg.source], msg.options).then(
    (state) => parentPort!.postMessage({ state }),
    (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) }),
  );
});
