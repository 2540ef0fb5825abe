import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SpecEntry } from './registry.ts';

/**
 * Brings a spec onto this machine once: the npm package is packed by npm itself (which checks the
 * tarball against the registry's integrity) and unpacked under `<cache>/<package>@<version>/`; a URL is
 * downloaded, checked against its sha256 and kept as `<cache>/sha256-<hex>`. A cached copy is used
 * without any network. Returns the path of the document.
 */
export async function fetchSpec(entry: SpecEntry, cacheDir: string): Promise<string> {
  const dir = resolve(cacheDir);
  mkdirSync(dir, { recursive: true });
  return 'npm' in entry ? fetchFromNpm(entry.npm, entry.file, dir) : fetchFromUrl(entry.url, entry.sha256, dir);
}

function fetchFromNpm(spec: string, file: string, cacheDir: string): string {
  const dir = join(cacheDir, spec.replace('/', '+'));
  if (!existsSync(join(dir, '.complete'))) {
    const work = mkdtempSync(join(cacheDir, '.pack-'));
    try {
      execFileSync('npm', ['pack', spec, '--pack-destination', work, '--silent', '--ignore-scripts'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
      if (!tarball) throw new Error(`npm pack ${spec} wrote no tarball`);
      mkdirSync(join(work, 'x'));
      execFileSync('tar', ['xzf', join(work, tarball), '-C', join(work, 'x')]);
      writeFileSync(join(work, 'x', '.complete'), spec);
      rmSync(dir, { recursive: true, force: true });
      renameSync(join(work, 'x'), dir);
    } catch (error) {
      const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
      throw new Error(`could not fetch ${spec} from npm: ${detail.split('\n')[0]}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const path = join(dir, 'package', file);
  if (!existsSync(path)) throw new Error(`${spec} has no file ${file}`);
  return path;
}

async function fetchFromUrl(url: string, sha256: string, cacheDir: string): Promise<string> {
  const path = join(cacheDir, `sha256-${sha256}`);
  if (existsSync(path)) return path;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) throw new Error(`${url} has sha256 ${actual}, the registry pins ${sha256}`);
  writeFileSync(path, bytes);
  return path;
}
