/** Durations as every report and evidence line prints them: "0.25 ms", "12 ms", "1.5 s". */
export function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${Number(ms.toFixed(ms < 1 ? 2 : 1))} ms`;
}
