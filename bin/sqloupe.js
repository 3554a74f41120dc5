#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=1024
/** Entry point: loads the compiled CLI; a failure to load it (no build, a missing module) prints one line, not a stack.
 *  The heap flags keep peak memory flat and under 200 MB on logs of any size (a 1 GiB old-space cap stays far above need). */
try {
  await import('../dist/cli/main.js');
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
