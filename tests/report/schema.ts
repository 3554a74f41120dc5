/** Shared ajv setup for the report tests: draft 2020-12 with formats, strict about the schema itself. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { repoRoot } from '../support/cli.js';

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(repoRoot, 'schema', name), 'utf8')) as Record<string, unknown>;
}

export function validatorFor(name: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  // ajv-formats is CommonJS with a default export: under NodeNext the plugin sits on .default
  const addFormats = (addFormatsModule as unknown as { default: (a: Ajv2020) => unknown }).default;
  addFormats(ajv);
  const validate = ajv.compile(loadSchema(name));
  return (doc: unknown): string[] => {
    if (validate(doc)) return [];
    return (validate.errors ?? []).slice(0, 10).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };
}
