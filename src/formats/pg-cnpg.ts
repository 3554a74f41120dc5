/** CloudNativePG's JSON log envelope (`"logger":"postgres","msg":"record","record":{csvlog columns}`), as `kubectl logs` prints it. */
import { PgJsonParser, sniffShare } from './pg-json.js';
import { defineFormat } from './types.js';

export default defineFormat({
  id: 'pg-cnpg',
  summary: 'CloudNativePG JSON log envelope around csvlog records (kubectl logs of a CNPG pod)',
  orm: null,
  sniff: (lines) => sniffShare(lines, 'cnpg'),
  create: (ctx) => new PgJsonParser(ctx),
});
