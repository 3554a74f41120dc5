#!/usr/bin/env node
// Bundles the HTML report's page code (src/report/html/client, with uPlot) and its styles into
// dist/html-report/page.js and page.css, which the reporter inlines into every page it writes.
import { build, transform } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'html-report');
mkdirSync(out, { recursive: true });

const js = await build({
  entryPoints: [path.join(root, 'src/report/html/client/main.ts')],
  bundle: true,
  format: 'iife',
  target: 'es2022',
  minify: true,
  legalComments: 'inline',
  write: false,
  // `</script` inside a string literal would end the inline script: esbuild escapes it
  supported: { 'inline-script': false },
});
const css = await transform(
  readFileSync(path.join(root, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8') + '\n' + readFileSync(path.join(root, 'src/report/html/page.css'), 'utf8'),
  { loader: 'css', minify: true },
);
writeFileSync(path.join(out, 'page.js'), js.outputFiles[0].text);
writeFileSync(path.join(out, 'page.css'), css.code);
