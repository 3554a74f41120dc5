/** One colour decision for chalk and commander alike: flags, then NO_COLOR (which chalk ignores), then FORCE_COLOR, then TTY. */
export function colorFor(stream: { isTTY?: boolean }, argv: string[] = process.argv, env: NodeJS.ProcessEnv = process.env): boolean {
  if (argv.includes('--no-color')) return false;
  if (argv.includes('--color')) return true;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return !(force === '0' || force === 'false');
  return Boolean(stream.isTTY) && env['TERM'] !== 'dumb';
}
