/**
 * Bytes → lines for one input: plain files read with readSync into one reused buffer (the fast path),
 * gzip (by magic bytes) and stdin through streams. Lines are decoded in windows, never byte by byte.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import type { Readable } from 'node:stream';
import { count } from '../text/plural.js';
import { gunzipMembers } from './gzip.js';

const CHUNK = 1 << 20;
/** Longest record kept whole; longer lines are cut there and reported (documented limit). */
export const MAX_LINE_BYTES = 64 << 20;

export interface LineSink {
  /** One line without its newline (and without a trailing CR). */
  line(text: string, lineNo: number): void;
  /** A problem reading the input that did not stop it (truncated gzip, an over-long line). */
  warn(lineNo: number, message: string): void;
  /** Bytes consumed so far (compressed bytes for gzip), for progress. */
  progress?(bytes: number): void;
  /** The input ended inside this line (no line end after it): the writer was cut off or is still writing. */
  cut?(lineNo: number): void;
}

/** Splits byte chunks into lines; keeps a partial last line across chunks without quadratic copying. */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private lineNo = 0;
  private overlong = false;
  private nulWarned = false;
  /** Whether lines end in a lone CR (classic Mac OS), decided by the first line end seen; null before one. */
  private crOnly: boolean | null = null;

  constructor(private readonly sink: LineSink) {}

  get lines(): number {
    return this.lineNo;
  }

  push(buf: Buffer, start: number, end: number): void {
    if (this.crOnly !== false) {
      if (this.crOnly === null) this.crOnly = lineEnds(buf, start, end, this.sink, this.lineNo + 1);
      if (this.crOnly) {
        // a copy with each CR a line end: the reader reuses its buffer
        const copy = Buffer.from(buf.subarray(start, end));
        for (let i = copy.indexOf(13); i >= 0; i = copy.indexOf(13, i + 1)) copy[i] = 10;
        buf = copy;
        end -= start;
        start = 0;
      }
    }
    let pos = start;
    const lastNl = buf.lastIndexOf(10, end - 1);
    if (lastNl < start) {
      this.keep(buf, pos, end);
      return;
    }
    if (this.carryBytes > 0 || this.overlong) {
      const nl = buf.indexOf(10, pos);
      this.keep(buf, pos, nl);
      this.emitCarry();
      pos = nl + 1;
    }
    if (pos <= lastNl) {
      // one decode for the whole window: a newline byte never sits inside a UTF-8 sequence.
      // Logs are mostly ASCII: checking that (SIMD) and copying as latin1 is ~3× faster than decoding UTF-8.
      const text = isAscii(buf.subarray(pos, lastNl)) ? buf.toString('latin1', pos, lastNl) : buf.toString('utf8', pos, lastNl);
      let from = 0;
      for (;;) {
        const nl = text.indexOf('\n', from);
        const e = nl < 0 ? text.length : nl;
        this.emit(text, from, e);
        if (nl < 0) break;
        from = nl + 1;
      }
    }
    if (lastNl + 1 < end) this.keep(buf, lastNl + 1, end);
  }

  /** End of input: a last line without a newline still counts. */
  finish(): void {
    if (this.carryBytes > 0 || this.overlong) {
      this.emitCarry();
      this.sink.cut?.(this.lineNo);
    }
  }

  private keep(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    if (this.carryBytes + (end - start) > MAX_LINE_BYTES) {
      if (!this.overlong) {
        this.overlong = true;
        this.sink.warn(this.lineNo + 1, `line longer than ${MAX_LINE_BYTES >> 20} MiB: kept its first ${MAX_LINE_BYTES >> 20} MiB, dropped the rest`);
      }
      return;
    }
    // copy: the reader reuses its buffer
    this.carry.push(Buffer.from(buf.subarray(start, end)));
    this.carryBytes += end - start;
  }

  private emitCarry(): void {
    const text = Buffer.concat(this.carry, this.carryBytes).toString('utf8');
    this.carry = [];
    this.carryBytes = 0;
    this.overlong = false;
    this.emit(text, 0, text.length);
  }

  private emit(text: string, from: number, end: number): void {
    if (end > from && text.charCodeAt(end - 1) === 13) end--;
    if (end > from && text.charCodeAt(from) === 0) {
      // a crash on a preallocated file leaves a run of NULs, and the restarted server appends right after it:
      // drop the run so the record glued to it still starts the line
      let i = from;
      while (i < end && text.charCodeAt(i) === 0) i++;
      if (!this.nulWarned) {
        this.nulWarned = true;
        this.sink.warn(this.lineNo + 1, `dropped ${i - from} NUL bytes at the start of the line (padding left by a crash); later runs are dropped silently`);
      }
      from = i;
    }
    this.sink.line(from === 0 && end === text.length ? text : text.slice(from, end), ++this.lineNo);
  }
}

/**
 * How this input ends its lines, from the first line end in a window: true when it is a lone CR (a log saved with
 * classic Mac OS line ends, where nothing else would split it into lines), null when the window holds none yet.
 */
function lineEnds(buf: Buffer, start: number, end: number, sink: LineSink, lineNo: number): boolean | null {
  const window = buf.subarray(start, end);
  if (window.includes(10)) return false;
  if (!window.includes(13)) return null;
  sink.warn(lineNo, 'lines end in a lone CR (classic Mac OS line ends): each CR is read as a line end');
  return true;
}

/**
 * A copy of `s` that does not point into the line or the 1 MiB decoded window it was cut from: V8 keeps
 * a whole parent string alive for any slice of it (13 characters or more), and whatever outlives its window
 * (statements in open units, findings, caches) must not hold it. Concatenating makes a new string of s's size.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

const isGzip = (b: Buffer, n: number) => n >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Read one file or stdin ('-', from `stdin`) to the end, calling sink.line for every line. */
export async function readLines(path: string, sink: LineSink, stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const splitter = new LineSplitter(sink);
  if (path === '-') {
    await readStream(stdin as Readable, splitter, sink, true);
    splitter.finish();
    return splitter.lines;
  }
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let n = readSync(fd, buf, 0, CHUNK, null);
    if (isGzip(buf, n)) {
      closeSync(fd);
      const { createReadStream } = await import('node:fs');
      await readStream(createReadStream(path, { highWaterMark: CHUNK }), splitter, sink, false);
      splitter.finish();
      return splitter.lines;
    }
    let total = 0;
    while (n > 0) {
      splitter.push(buf, 0, n);
      total += n;
      sink.progress?.(total);
      n = readSync(fd, buf, 0, CHUNK, null);
    }
    splitter.finish();
    closeSync(fd);
    return splitter.lines;
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    throw e;
  }
}

/** Stream input, gunzipping when the first bytes say gzip; a truncated gzip keeps what was decoded. */
async function readStream(stream: Readable, splitter: LineSplitter, sink: LineSink, sniffGzip: boolean): Promise<void> {
  let total = 0;
  let source: AsyncIterable<Buffer> = stream;
  let gz = !sniffGzip;
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = first.value as Buffer;
  if (sniffGzip) gz = isGzip(head, head.length);
  const rest: AsyncIterable<Buffer> = {
    async *[Symbol.asyncIterator]() {
      yield head;
      for (;;) {
        const r = await iterator.next();
        if (r.done) return;
        yield r.value as Buffer;
      }
    },
  };
  source = rest;
  if (!gz) {
    for await (const chunk of source) {
      splitter.push(chunk, 0, chunk.length);
      total += chunk.length;
      sink.progress?.(total);
    }
    return;
  }
  await gunzipMembers(source, {
    data: (chunk) => splitter.push(chunk, 0, chunk.length),
    progress: (bytes) => sink.progress?.(bytes),
    problem: (kind, detail) => {
      const at = splitter.lines + 1;
      if (kind === 'trailing') sink.warn(at, detail);
      else sink.warn(at, `${detail}; kept the ${count(splitter.lines, 'line')} read before it`);
    },
  });
}
