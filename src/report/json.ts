/** `--format json`: the versioned contract other tools build on (schema/sqloupe-report.schema.json). */
import { TOOL } from '../version.js';
import { defineReporter } from './types.js';
import { printableJson } from '../text/printable.js';
import type { AnalysisResult } from '../findings/result.js';

export const SCHEMA_VERSION = 1;

export function toJsonReport(result: AnalysisResult) {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: TOOL,
    fingerprintAlgorithm: result.fingerprintAlgorithm,
    inputs: result.inputs,
    summary: result.summary,
    findings: result.findings,
    topQueries: result.topQueries,
  };
}

export default defineReporter({
  id: 'json',
  summary: 'JSON document following the documented schema',
  render: (result) => printableJson(JSON.stringify(toJsonReport(result), null, 2)) + '\n',
});
