/** gzip inputs as copies and rotations leave them: padded, with bytes after the last member, several members. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze, DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import { readLines } from '../../src/input/lines.js';
import { repoRoot } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-gzip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const billing = readFileSync(path.join(repoRoot, 'samples/billing.log'));
const BILLING_LINES = billing.toString('utf8').split('\n').length - 1;
const member = gzipSync(billing);

function file(name: string, ...parts: Buffer[]): string {
  const p = path.join(tmp, name);
  writeFileSync(p, Buffer.concat(parts));
  return p;
}

async function read(p: string): Promise<{ lines: number; text: string[]; warnings: string[] }> {
  const text: string[] = [];
  const warnings: string[] = [];
  const lines = await readLines(p, { line: (t) => text.push(t), warn: (n, m) => warnings.push(`${n}: ${m}`) });
  return { lines, text, warnings };
}

async function statements(p: string): Promise<number> {
  const r = await analyze([{ path: p, size: null }], DEFAULT_ANALYZE_OPTIONS);
  return r.summary.statements;
}

/** A member written by hand with stored blocks, so its deflate data is exactly `deflated` bytes long. */
function storedMember(text: Buffer, deflated: number): Buffer {
  const body = deflateRawSync(text, { level: 0 });
  expect(body.length).toBe(deflated);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(text), 0);
  trailer.writeUInt32LE(text.length, 4);
  return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), body, trailer]);
}

describe('gzip members', () => {
  it('reads zero padding after the member (which gzip -t accepts) without a word', async () => {
    const p = file('padded.log.gz', member, Buffer.alloc(100_000));
    const r = await read(p);
    expect(r.lines).toBe(BILLING_LINES);
    expect(r.warnings).toEqual([]);
    expect(await statements(p)).toBe(89);
  });

  it('keeps the whole member when one byte of garbage follows it, and says what followed', async () => {
    const p = file('garbage.log.gz', member, Buffer.from('X'));
    const r = await read(p);
    expect(r.lines).toBe(BILLING_LINES);
    expect(r.warnings).toEqual([`${BILLING_LINES + 1}: 1 bytes after the last gzip member at offset ${member.length} are not gzip data; ignored`]);
    expect(await statements(p)).toBe(89);
  });

  it('keeps every complete member before the garbage', async () => {
    const p = file('two.log.gz', member, member, Buffer.from('junk\0junk'));
    const r = await read(p);
    expect(r.lines).toBe(2 * BILLING_LINES);
    expect(r.warnings).toEqual([`${2 * BILLING_LINES + 1}: 9 bytes after the last gzip member at offset ${2 * member.length} are not gzip data; ignored`]);
    expect(await statements(p)).toBe(178);
  });

  it('finds the next member when a member ends exactly where a read slice ends', async () => {
    // stored blocks: 5 bytes of block header, so 4091 bytes of text are 4096 bytes of deflate data (two 2 KiB slices)
    const text = Buffer.from(billing.subarray(0, 4090).toString('latin1') + '\n', 'latin1');
    const m = storedMember(text, 4096);
    const r = await read(file('aligned.log.gz', m, m, member));
    const first = text.toString('latin1').split('\n').length - 1;
    expect(r.lines).toBe(2 * first + BILLING_LINES);
    expect(r.warnings).toEqual([]);
  });

  it('keeps what was decoded before a member cut short, and says so', async () => {
    const p = file('cut.log.gz', member, member.subarray(0, 3000));
    const r = await read(p);
    // 701 whole lines, then the partial line the cut left, counted at the end of input
    expect(r.lines).toBe(702);
    expect(r.warnings).toEqual([`702: gzip member at offset ${member.length} is truncated or corrupt (unexpected end of file); kept the 701 lines read before it`]);
  });

  it('reports a header cut short after the last member', async () => {
    const r = await read(file('cut-header.log.gz', member, member.subarray(0, 5)));
    expect(r.lines).toBe(BILLING_LINES);
    expect(r.warnings).toEqual([`${BILLING_LINES + 1}: the gzip member header at offset ${member.length} is cut short (5 bytes); kept the ${BILLING_LINES} lines read before it`]);
  });

  it('reads a header with the original name in it (gzip -N)', async () => {
    const named = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3]), Buffer.from('billing.log\0'), member.subarray(10)]);
    const r = await read(file('named.log.gz', named));
    expect(r.lines).toBe(BILLING_LINES);
    expect(r.warnings).toEqual([]);
  });
});
