/**
 * gzip members → decompressed bytes, one member after another, in small steps. Written here rather than left to
 * zlib's Gunzip because Gunzip cannot say where a member ended: it fails on bytes after the last member (losing
 * what it decoded in that call) and ends early on zero padding, which `gzip -d` accepts. Reading member by member
 * keeps every complete member and says exactly what followed the last one.
 */
import { createInflateRaw, crc32, type InflateRaw } from 'node:zlib';

/** Compressed bytes per inflate write: when the data turns corrupt, zlib drops what it decoded in that call. */
const SLICE = 2 << 10;
const OUT = 16 << 10;

export interface GzipSink {
  data(chunk: Buffer): void;
  /** Damage that stopped the reading or bytes that were ignored; `detail` says what and where. */
  problem(kind: 'truncated' | 'corrupt' | 'trailing', detail: string): void;
  /** Compressed bytes consumed so far. */
  progress?(bytes: number): void;
}

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/** Length of the member header at the start of `b`; 0 when more bytes are needed; -1 when it is not a gzip header. */
export function gzipHeaderLength(b: Buffer): number {
  if (b.length >= 1 && b[0] !== 0x1f) return -1;
  if (b.length >= 2 && b[1] !== 0x8b) return -1;
  if (b.length >= 3 && b[2] !== 8) return -1;
  if (b.length < 10) return 0;
  const flags = b[3]!;
  let at = 10;
  if (flags & FEXTRA) {
    if (b.length < at + 2) return 0;
    at += 2 + b.readUInt16LE(at);
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (flags & f) {
      const z = b.indexOf(0, at);
      if (z < 0) return 0;
      at = z + 1;
    }
  }
  if (flags & FHCRC) at += 2;
  return b.length >= at ? at : 0;
}

/** Read consecutive gzip members from `source`; resolves when the input is used up or reading had to stop. */
export async function gunzipMembers(source: AsyncIterable<Buffer>, sink: GzipSink): Promise<void> {
  const it = source[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  /** Offset in the compressed input of pending[0]. */
  let offset = 0;
  let done = false;
  const more = async (): Promise<boolean> => {
    if (done) return false;
    const r = await it.next();
    if (r.done) {
      done = true;
      return false;
    }
    pending = pending.length === 0 ? (r.value as Buffer) : Buffer.concat([pending, r.value as Buffer]);
    return true;
  };
  const consume = (n: number) => {
    pending = pending.subarray(n);
    offset += n;
    sink.progress?.(offset);
  };

  for (let member = 0; ; member++) {
    // header of the next member, or whatever follows the last one
    let head = gzipHeaderLength(pending);
    while (head === 0 && (await more())) head = gzipHeaderLength(pending);
    if (pending.length === 0 && done) return;
    if (head <= 0) {
      await trailing(head === 0);
      return;
    }
    const start = offset;
    consume(head);
    const body = await inflateMember(start);
    if (body === null) return;
    // trailer: CRC-32 and length (mod 2^32) of the decompressed member
    while (pending.length < 8 && (await more()));
    if (pending.length < 8) {
      sink.problem('truncated', `gzip member ${member + 1} ends without its trailer at offset ${offset}`);
      return;
    }
    const crc = pending.readUInt32LE(0);
    const size = pending.readUInt32LE(4);
    if (crc !== body.crc || size !== body.size % 2 ** 32) {
      sink.problem('corrupt', `gzip member ${member + 1} fails its check (CRC or length) at offset ${offset}`);
      return;
    }
    consume(8);
  }

  /** Bytes after a complete member: zero padding (block devices, tapes) is ignored quietly, anything else is reported. */
  async function trailing(cutHeader: boolean): Promise<void> {
    const at = offset;
    let n = 0;
    let zeros = true;
    for (;;) {
      n += pending.length;
      if (zeros) for (const byte of pending) if (byte !== 0) { zeros = false; break; }
      pending = Buffer.alloc(0);
      if (!(await more())) break;
    }
    sink.progress?.(at + n);
    if (zeros) return;
    if (cutHeader) sink.problem('truncated', `the gzip member header at offset ${at} is cut short (${n} bytes)`);
    else sink.problem('trailing', `${n} bytes after the last gzip member at offset ${at} are not gzip data; ignored`);
  }

  /** Inflate one member's deflate data from pending (and the source); null when it could not be read to its end. */
  async function inflateMember(memberStart: number): Promise<{ crc: number; size: number } | null> {
    const inflate: InflateRaw = createInflateRaw({ chunkSize: OUT });
    let crc = 0;
    let size = 0;
    let ended = false;
    let failure: Error | null = null;
    inflate.on('data', (c: Buffer) => {
      crc = crc32(c, crc);
      size += c.length;
      sink.data(c);
    });
    const finished = new Promise<void>((resolve) => {
      inflate.once('end', () => {
        ended = true;
        resolve();
      });
      inflate.once('error', (e) => {
        failure = e;
        resolve();
      });
    });
    /** Bytes given to this inflate, and of them those still in `pending` (the slice being written). */
    let fed = 0;
    while (!ended && failure === null) {
      if (pending.length === 0 && !(await more())) break;
      const piece = pending.subarray(0, SLICE);
      fed += piece.length;
      await Promise.race([new Promise<void>((r) => inflate.write(piece, () => r())), finished]);
      // zlib counts the bytes it used: fewer than given means the deflate data ended inside this slice, and
      // the rest of the slice is the trailer and what follows
      const used = Math.max(0, Math.min(piece.length, inflate.bytesWritten - (fed - piece.length)));
      consume(used);
      if (used < piece.length && failure === null) {
        await finished;
        break;
      }
      // the data may end exactly at the slice's end: let zlib's end event through before writing more
      if (!ended) await new Promise((r) => setImmediate(r));
    }
    if (!ended && failure === null) {
      inflate.end();
      await finished;
    }
    if (ended && failure === null) return { crc, size };
    const why = failure === null ? 'ends early' : (failure as Error).message;
    sink.problem(failure === null || /unexpected end/.test(why) ? 'truncated' : 'corrupt', `gzip member at offset ${memberStart} is truncated or corrupt (${why})`);
    return null;
  }
}
