/** `--format ndjson`: one finding per line (`"type":"finding"`), then one `"type":"summary"` line, for line-oriented consumers. */
import type { AnalysisResult } from '../findings/result.js';
import { TOOL } from '../version.js';
import { SCHEMA_VERSION } from './json.js';
import { defineReporter } from './types.js';
import { printableJson } from '../text/printable.js';

export default defineReporter({
  id: 'ndjson',
  summary: 'one JSON finding per line, then a summary line',
  render: renderNdjson,
});

export function findingLine(f: AnalysisResult['findings'][number]): string {
  return printableJson(JSON.stringify({ type: 'finding', ...f })) + '\n';
}

export function summaryLine(result: AnalysisResult): string {
  return (
    printableJson(JSON.stringify({
      type: 'summary',
      schemaVersion: SCHEMA_VERSION,
      tool: TOOL,
      fingerprintAlgorithm: result.fingerprintAlgorithm,
      inputs: result.inputs,
      summary: result.summary,
      topQueries: result.topQueries,
    })) + '\n'
  );
}

export function renderNdjson(result: AnalysisResult): string {
  return result.findings.map(findingLine).join('') + summaryLine(result);
}
