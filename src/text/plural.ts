/** Counts in prose: "1 line", "2 lines", "1,024 statements" — a report that says "1 lines" reads as careless. */
const n = (v: number) => v.toLocaleString('en-US');

/** `count(1, 'line')` → "1 line"; irregular plurals are given: `count(2, 'unit of work', 'units of work')`. */
export function count(v: number, singular: string, plural = `${singular}s`): string {
  return `${n(v)} ${v === 1 ? singular : plural}`;
}

/** End a sentence with exactly one full stop, whatever the text already ends with. */
export function sentence(s: string): string {
  const t = s.trimEnd();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}
