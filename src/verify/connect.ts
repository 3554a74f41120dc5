/**
 * The one connection `verify` makes: from --dsn, the PG* environment variables and ~/.pgpass (as psql finds
 * them), with timeouts and read-only as the session default. The password never reaches any output: every
 * message that leaves this stage goes through `scrub`.
 */
import { createRequire } from 'node:module';
import pg from 'pg';

/** A connection that cannot be made or used: one line, exit 2, nothing half-done. */
export class VerifyConnectionError extends Error {}

export interface Limits {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
}

export interface Connection {
  client: pg.Client;
  /** Where it points, without the password: user@host:port/database. */
  where: string;
  /** Remove every form of the password from a text. */
  scrub(text: string): string;
  end(): Promise<void>;
}

type PgPass = (conn: Record<string, unknown>, cb: (pass: string | undefined) => void) => void;

/** The ~/.pgpass (or $PGPASSFILE) lookup, done here rather than by pg's deprecated built-in one. */
function pgpassLookup(params: Record<string, unknown>): Promise<string | undefined> {
  let lookup: PgPass;
  try {
    lookup = createRequire(import.meta.url)('pgpass') as PgPass;
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => lookup(params, resolve));
}

/** The DSN's parts, the password kept apart. */
function parseDsn(dsn: string): { password: string | null; display: URL } {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    // the text itself may hold a password: never echo it
    throw new VerifyConnectionError('--dsn is not a URL: give postgres://user@host:5432/database (the password from PGPASSWORD or ~/.pgpass)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new VerifyConnectionError(`--dsn must start with postgres:// or postgresql:// (got ${url.protocol}//…)`);
  }
  const password = url.password ? decodeURIComponent(url.password) : null;
  const display = new URL(url.href);
  display.password = '';
  return { password, display };
}

export async function connect(dsn: string | null, limits: Limits): Promise<Connection> {
  const parsed = dsn ? parseDsn(dsn) : null;
  const secrets = [parsed?.password, process.env['PGPASSWORD']].filter((s): s is string => Boolean(s));
  const forms = new Set<string>();
  for (const s of secrets) for (const f of [s, encodeURIComponent(s)]) if (f.length >= 1) forms.add(f);
  let fromPgpass: string | undefined;
  const scrub = (text: string) => {
    let out = text;
    for (const f of [...forms, ...(fromPgpass ? [fromPgpass, encodeURIComponent(fromPgpass)] : [])].sort((a, b) => b.length - a.length)) out = out.split(f).join('***');
    return out;
  };
  const config: pg.ClientConfig = {
    ...(dsn ? { connectionString: dsn } : {}),
    application_name: 'sqloupe verify',
    statement_timeout: limits.statementTimeoutMs,
    lock_timeout: limits.lockTimeoutMs,
    connectionTimeoutMillis: 10_000,
  };
  const client = new pg.Client(config);
  const cp = (client as unknown as { connectionParameters: Record<string, unknown> }).connectionParameters;
  if (parsed?.password == null && !process.env['PGPASSWORD']) {
    // no password given: ~/.pgpass, as libpq does; none there leaves it to the server (trust, peer)
    (client as unknown as { password: unknown }).password = async () => {
      fromPgpass = await pgpassLookup(cp);
      return fromPgpass;
    };
  }
  const where = `${String(cp['user'] ?? '')}@${String(cp['host'] ?? '')}:${String(cp['port'] ?? '')}/${String(cp['database'] ?? '')}`;
  // a server that goes away mid-run must not crash the process: the next query fails and says so
  client.on('error', () => undefined);
  try {
    await client.connect();
    // session defaults: every transaction read-only unless one says READ WRITE; no statement or lock wait runs on
    await client.query(
      `SET default_transaction_read_only = on; SET statement_timeout = ${Math.trunc(limits.statementTimeoutMs)}; ` +
        `SET lock_timeout = ${Math.trunc(limits.lockTimeoutMs)}; SET idle_in_transaction_session_timeout = 60000`,
    );
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new VerifyConnectionError(scrub(`cannot verify on ${where}: ${connectionMessage(e)}`));
  }
  return { client, where, scrub, end: () => client.end().catch(() => undefined) };
}

/** The real cause of a failed connection, in one line. */
export function connectionMessage(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const msg = (err?.message ?? String(e)).split('\n')[0]!;
  switch (err?.code) {
    case 'ECONNREFUSED':
      return 'connection refused: is PostgreSQL running there, and is the host and port right?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found: check the host in --dsn or PGHOST';
    case 'ETIMEDOUT':
      return 'connection timed out: the server does not answer on that host and port';
    case '28P01':
      return `${msg} (check the password in PGPASSWORD, ~/.pgpass or --dsn)`;
    case '28000':
      return `${msg} (the server's pg_hba.conf does not let this user in from here)`;
    case '3D000':
      return `${msg} (name an existing database in --dsn or PGDATABASE)`;
    case '42501':
      return `permission denied: ${msg}`;
  }
  if (/timeout expired/i.test(msg)) return 'connection timed out: the server does not answer on that host and port';
  if (/client password must be a string|password must be a string/i.test(msg)) return 'the server asks for a password: give it in PGPASSWORD, ~/.pgpass or --dsn';
  return msg;
}
