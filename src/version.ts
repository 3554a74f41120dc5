/** The package's name, version and home, read once from package.json (one level above both src/ and dist/). */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string; homepage?: string };

export const TOOL = { name: pkg.name, version: pkg.version };

/** Where the page of a finding kind is published (docs/kinds/<kind>.md under the package's homepage). */
export function kindDocsUrl(kind: string): string {
  const home = (pkg.homepage ?? 'https://github.com/sqloupe/sqloupe').replace(/#.*$/, '').replace(/\/$/, '');
  return `${home}/blob/main/docs/kinds/${kind}.md`;
}

/** The page of a finding kind as shipped with the package (docs/kinds/<kind>.md), or null when it is missing. */
export function kindDocsPage(kind: string): string | null {
  try {
    return readFileSync(new URL(`../docs/kinds/${kind}.md`, import.meta.url), 'utf8');
  } catch {
    return null;
  }
}
