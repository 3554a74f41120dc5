#!/usr/bin/env node
/**
 * Entry point. The heap flags keep peak memory flat and under 200 MB on logs of any size (a 1 GiB old-space cap
 * stays far above need); V8 reads them only at start-up, and `#!/usr/bin/env -S node …` fails on BusyBox's env
 * (Alpine, the usual Node image), so a start without them runs node again with them, once, on the same stdio.
 * A failure to load the compiled CLI (no build, a missing module) prints one line, not a stack.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HEAP_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=1024'];
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const CHILD_MARK = 'SQLOUPE_HEAP_FLAGS';
/** Where a stop that came before --follow listened is kept (src/cli/follow.ts reads it, and sets 'listening'). */
const PENDING_STOP = Symbol.for('sqloupe.pendingStop');

// commands that read no log need no heap limits, and a second start costs them more than they take
const LIGHT = new Set(['--help', '-h', 'help', '--version', '-V', 'fingerprint', 'formats']);
const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
const needsFlags = !LIGHT.has(process.argv[2] ?? '') && !given.includes('--max-old-space-size') && !given.includes('--max-semi-space-size');
if (process.env[CHILD_MARK] !== '1' && needsFlags) {
  const child = spawn(process.execPath, [...HEAP_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [CHILD_MARK]: '1' },
  });
  // `kill PID`, `docker stop` reach only this process: pass the signal on; the child decides what it means
  const forward = (sig) => child.kill(sig);
  for (const sig of FORWARDED) process.on(sig, forward);
  child.on('error', (e) => {
    process.stderr.write(`sqloupe: cannot start ${process.execPath}: ${e.message}\n`);
    process.exit(2);
  });
  child.on('exit', (code, signal) => {
    if (code !== null) process.exit(code);
    // ended by a signal: end the same way, so a shell or a supervisor sees what happened
    for (const sig of FORWARDED) process.off(sig, forward);
    process.kill(process.pid, signal ?? 'SIGTERM');
  });
} else {
  if (process.env[CHILD_MARK] === '1') {
    delete process.env[CHILD_MARK];
    absorbForwardedSignals();
  } else if (process.argv.includes('--follow')) {
    holdStopUntilFollowing();
  }
  try {
    await import('../dist/cli/entry.js');
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(
      `sqloupe: cannot start: ${msg.split('\n')[0]}\n` +
        (process.argv.includes('--debug')
          ? `${e instanceof Error ? e.stack : ''}\n`
          : 'Reinstall sqloupe (npm install -g sqloupe), or in a checkout run `npm install && npm run build`; --debug shows the stack.\n'),
    );
    process.exit(2);
  }
}

/**
 * Ctrl-C reaches both processes (one process group) and the parent passes it on as well: the same signal twice
 * within a moment is one. The first one still stops the run: --follow's own handler prints its summary; with no
 * other handler the process ends as the signal would have ended it (128 + its number).
 */
function absorbForwardedSignals() {
  const CODES = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  const last = new Map();
  for (const sig of FORWARDED) {
    process.on(sig, () => {
      const now = Date.now();
      const previous = last.get(sig);
      last.set(sig, now);
      if (previous !== undefined && now - previous < 1000) return;
      if (process.listenerCount(sig) > 1) return;
      if (process.argv.includes('--follow') && process[PENDING_STOP] !== 'listening') {
        process[PENDING_STOP] = sig;
        return;
      }
      process.exit(128 + CODES[sig]);
    });
  }
}

/**
 * --follow's answer to a stop is its summary (exit 0): a stop that comes while the CLI is still loading, before
 * --follow listens, is kept here and --follow takes it as soon as it starts (src/cli/follow.ts), instead of the
 * process dying of it silently (143).
 */
function holdStopUntilFollowing() {
  for (const sig of FORWARDED) {
    process.on(sig, () => {
      if (process.listenerCount(sig) > 1 || process[PENDING_STOP] === 'listening') return;
      process[PENDING_STOP] = sig;
    });
  }
}
