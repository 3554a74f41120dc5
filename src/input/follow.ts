/** Follows a growing log like `tail -F`: polls size and inode, reads new bytes, reopens from the start on rotation or truncation. */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { LineSplitter, type LineSink } from './lines.js';

const CHUNK = 1 << 20;

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
  private splitter: LineSplitter;
  /** Lines of the files read before the last rotation or truncation, so the total covers every file. */
  private linesBefore = 0;
  private readonly buf = Buffer.allocUnsafe(CHUNK);

  constructor(
    private readonly path: string,
    private readonly sink: FollowSink,
  ) {
    this.splitter = new LineSplitter(sink);
    if (!this.open()) sink.waiting?.(path);
  }

  /** Lines passed on from this path, across rotations and truncations (line numbers restart in each file). */
  get lines(): number {
    return this.linesBefore + this.splitter.lines;
  }

  /** Read everything new; returns the number of bytes read. Never throws for a missing file (it may be mid-rotation). */
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
      return this.drain();
    }
    if (st.ino !== this.ino || st.dev !== this.dev) {
      // rotation: the rest of the old file first, then the new one from its start
      read += this.drain();
      this.splitter.finish();
      this.linesBefore += this.splitter.lines;
      this.close();
      if (this.open()) {
        this.sink.reopened?.('rotated');
        read += this.drain();
      }
      return read;
    }
    const size = fstatSync(this.fd!).size;
    if (size < this.pos) {
      // copytruncate: the file was emptied and written again
      this.splitter.finish();
      this.linesBefore += this.splitter.lines;
      this.splitter = new LineSplitter(this.sink);
      this.pos = 0;
      this.sink.reopened?.('truncated');
    }
    return read + this.drain();
  }

  /** End: a last line without a newline still counts, as in a normal run. */
  finish(): void {
    this.drain();
    this.splitter.finish();
    this.close();
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
    this.splitter = new LineSplitter(this.sink);
    return true;
  }

  private close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private drain(): number {
    if (this.fd === null) return 0;
    let total = 0;
    for (;;) {
      const n = readSync(this.fd, this.buf, 0, CHUNK, this.pos);
      if (n <= 0) break;
      this.pos += n;
      total += n;
      this.splitter.push(this.buf, 0, n);
    }
    return total;
  }
}
