/** Google CloudSQL for PostgreSQL logs exported from Cloud Logging: one JSON entry per line, the stderr line in `textPayload`. */
import { PgJsonParser, sniffShare } from './pg-json.js';
import { findSeverity } from './pg-prefix/severity.js';
import { defineFormat } from './types.js';

export default defineFormat({
  id: 'pg-cloudsql',
  summary: 'Google CloudSQL PostgreSQL log export (JSON lines with a stderr line in textPayload)',
  orm: null,
  sniff: (lines) => sniffShare(lines, 'cloudsql', (o) => findSeverity(o.textPayload as string) > 0),
  create: (ctx) => new PgJsonParser(ctx),
});
