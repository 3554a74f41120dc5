/** Progress on stderr (bytes, rate, ETA) for interactive runs only: never in cron mail, CI logs or a redirected stderr. */

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

export interface Progress {
  update(path: string, bytes: number, size: number | null): void;
  /** Erase the line; call before anything else is written to stdout or stderr. */
  clear(): void;
}

const NOOP: Progress = { update() {}, clear() {} };
const ERASE = '\r\x1b[2K';
/** About 10 updates a second: more only costs time and flickers. */
const INTERVAL_MS = 100;

/** `explicit` is --progress/--no-progress (or the config); otherwise a TTY stderr, no CI, not quiet, not a dumb terminal. */
export function progressEnabled(stream: ProgressStream, opts: { explicit?: boolean; quiet?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (opts.explicit !== undefined) return opts.explicit;
  if (opts.quiet) return false;
  if (env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false') return false;
  if (env['TERM'] === 'dumb') return false;
  return Boolean(stream.isTTY);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The progress line for one input; `size` is null for stdin, where there is no ETA. */
export function progressLine(path: string, bytes: number, size: number | null, elapsedMs: number, width = 80): string {
  const rate = elapsedMs > 0 ? (bytes / elapsedMs) * 1000 : 0;
  const parts = [size ? `${formatBytes(bytes)} / ${formatBytes(size)} (${Math.min(100, Math.floor((bytes / size) * 100))}%)` : formatBytes(bytes), `${formatBytes(Math.round(rate))}/s`];
  if (size && rate > 0) parts.push(`ETA ${formatEta((size - bytes) / rate)}`);
  const tail = parts.join(', ');
  const room = Math.max(8, width - tail.length - 14);
  const name = path.length > room ? '…' + path.slice(path.length - room + 1) : path;
  return `reading ${name}: ${tail}`.slice(0, Math.max(10, width - 1));
}

export function createProgress(stream: ProgressStream, enabled: boolean, now: () => number = Date.now): Progress {
  if (!enabled) return NOOP;
  let started = -1;
  let currentPath = '';
  let last = 0;
  let shown = false;
  return {
    update(path, bytes, size) {
      const t = now();
      if (path !== currentPath) {
        currentPath = path;
        started = t;
      }
      if (t - last < INTERVAL_MS) return;
      last = t;
      stream.write(ERASE + progressLine(path, bytes, size, t - started, stream.columns ?? 80));
      shown = true;
    },
    clear() {
      if (shown) stream.write(ERASE);
      shown = false;
    },
  };
}
