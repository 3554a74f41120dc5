/**
 * Follows a growing log like `tail -F`: polls identity (device and inode), size and first bytes, reads new bytes
 * in bounded slices, and starts again from the top on rotation or truncation.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { LineSplitter, type LineSink } from './lines.js';

const CHUNK = 1 << 20;
/**
 * Bytes read per poll at most: a reader far behind a fast writer returns to the event loop after each slice, so
 * a signal is answered within one slice's work (a few milliseconds) instead of after the whole backlog.
 */
export const FOLLOW_SLICE = 4 << 20;
/** First bytes of the file remembered: a file truncated and written again past its old size differs in them. */
const HEAD = 256;

export interface FollowSink extends LineSink {
  /** The file was rotated (new inode) or truncated; lines start again at 1. */
  reopened?(why: 'rotated' | 'truncated'): void;
  /** The file does not exist yet: it is read from its start once it appears (tail -F). Called once. */
  waiting?(path: string): void;
}

/**
 * Reads what a file holds, then what is appended to it, one `poll()` at a time; the caller owns the timer.
 * Only complete lines are passed on; a partial last line waits for its newline (the writer is mid-write).
 */
export class FileFollower {
  private fd: number | null = null;
  private ino = -1;
  private dev = -1;
  private pos = 0;
  private head: Buffer = Buffer.alloc(0);
  private splitter: LineSplitter;
  /** Lines of the files read before the last rotation or truncation, so the total covers every file. */
  private linesBefore = 0;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private readonly probe = Buffer.allocUnsafe(HEAD);
  /** The last poll stopped at its slice with more to read. */
  private behindNow = false;

  constructor(
    private readonly path: string,
    private readonly sink: FollowSink,
    private readonly slice = FOLLOW_SLICE,
  ) {
    this.splitter = new LineSplitter(sink);
    if (!this.open()) sink.waiting?.(path);
  }

  /** Lines passed on from this path, across rotations and truncations (line numbers restart in each file). */
  get lines(): number {
    return this.linesBefore + this.splitter.lines;
  }

  /** True when the last poll left bytes unread: poll again soon, after letting the event loop run. */
  get behind(): boolean {
    return this.behindNow;
  }

  /** Read what is new, one slice at most; returns the number of bytes read. Never throws for a missing file (it may be mid-rotation). */
  poll(): number {
    let read = 0;
    if (this.fd === null) {
      if (!this.open()) return 0;
    }
    let st;
    try {
      st = statSync(this.path);
    } catch {
      // renamed away and not yet recreated: keep draining the old file, as tail -F does
      return this.drain(this.slice);
    }
    if (st.ino !== this.ino || st.dev !== this.dev) {
      // rotation: the rest of the old file first (a slice at a time), then the new one from its start
      read += this.drain(this.slice);
      if (this.behindNow) return read;
      this.splitter.finish();
      this.linesBefore += this.splitter.lines;
      this.close();
      if (this.open()) {
        this.sink.reopened?.('rotated');
        read += this.drain(this.slice);
      }
      return read;
    }
    const size = fstatSync(this.fd!).size;
    // copytruncate: the file was emptied and written again, shorter than what was read, or past it between two
    // polls, when only its first bytes tell
    if (size < this.pos || this.headChanged()) {
      this.splitter.finish();
      this.linesBefore += this.splitter.lines;
      this.splitter = new LineSplitter(this.sink);
      this.pos = 0;
      this.head = Buffer.alloc(0);
      this.sink.reopened?.('truncated');
    }
    return read + this.drain(this.slice);
  }

  /**
   * End: a last line without a newline still counts, as in a normal run. When the reader is behind (stopped by a
   * signal mid-backlog) nothing more is read and the cut line is not passed on: the report says how much was left.
   */
  finish(): void {
    if (this.fd !== null && this.behindNow) {
      const left = fstatSync(this.fd).size - this.pos;
      this.sink.warn(this.splitter.lines + 1, `stopped with ${left} bytes of ${this.path} not read yet (the log was written faster than it was read)`);
      this.close();
      return;
    }
    this.drain(this.slice);
    this.splitter.finish();
    this.close();
  }

  private headChanged(): boolean {
    if (this.fd === null || this.head.length === 0) return false;
    const n = readSync(this.fd, this.probe, 0, this.head.length, 0);
    return n < this.head.length || this.probe.compare(this.head, 0, this.head.length, 0, n) !== 0;
  }

  private open(): boolean {
    try {
      this.fd = openSync(this.path, 'r');
    } catch {
      return false;
    }
    const st = fstatSync(this.fd);
    this.ino = st.ino;
    this.dev = st.dev;
    this.pos = 0;
    this.head = Buffer.alloc(0);
    this.behindNow = false;
    this.splitter = new LineSplitter(this.sink);
    return true;
  }

  private close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** Read up to `limit` bytes from where the last read ended. */
  private drain(limit: number): number {
    this.behindNow = false;
    if (this.fd === null) return 0;
    let total = 0;
    while (total < limit) {
      const n = readSync(this.fd, this.buf, 0, Math.min(CHUNK, limit - total), this.pos);
      if (n <= 0) break;
      if (this.head.length < HEAD && this.pos < HEAD) {
        const upto = Math.min(HEAD, this.pos + n);
        this.head = Buffer.concat([this.head, this.buf.subarray(0, upto - this.pos)]);
      }
      this.pos += n;
      total += n;
      this.splitter.push(this.buf, 0, n);
    }
    if (total >= limit) this.behindNow = fstatSync(this.fd).size > this.pos;
    return total;
  }
}
