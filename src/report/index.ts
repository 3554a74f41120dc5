/** Registry of reporters by --format id. */
import email from './email.js';
import html from './html.js';
import json from './json.js';
import markdown from './markdown.js';
import ndjson from './ndjson.js';
import sarif from './sarif.js';
import text from './text.js';
import type { Reporter } from './types.js';

export const reporters: Reporter[] = [text, json, ndjson, markdown, sarif, email, html];

export function reporterById(id: string): Reporter | undefined {
  return reporters.find((r) => r.id === id);
}
