import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SpecEntry } from './registry.ts';

/**
 * Brings a spec onto this machine once: the npm package is packed by npm itself (which checks the
 * tarball against the registry's integrity) and kept as `<cache>/<package>@<version>.tgz`, and the
 * document is unpacked beside it (the whole package when the format reads more than one file of it); a
 * URL is downloaded, checked against its sha256 and kept as `<cache>/sha256-<hex>`. A cached copy is
 * used without any network. Returns the path of the document.
 */
export async function fetchSpec(entry: SpecEntry, cacheDir: string, wholePackage: boolean): Promise<string> {
  const dir = resolve(cacheDir);
  mkdirSync(dir, { recursive: true });
  return 'npm' in entry ? fetchFromNpm(entry.npm, entry.file, dir, wholePackage) : fetchFromUrl(entry.url, entry.sha256, dir);
}

function fetchFromNpm(spec: string, file: string, cacheDir: string, wholePackage: boolean): string {
  const name = spec.replace('/', '+');
  const tarball = join(cacheDir, `${name}.tgz`);
  const dir = join(cacheDir, name);
  const target = join(dir, 'package', file);
  const done = wholePackage ? join(dir, '.complete') : target;
  if (existsSync(done)) return target;
  const work = mkdtempSync(join(cacheDir, '.pack-'));
  try {
    if (!existsSync(tarball)) {
      execFileSync('npm', ['pack', spec, '--pack-destination', work, '--silent', '--ignore-scripts'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const packed = readdirSync(work).find((f) => f.endsWith('.tgz'));
      if (!packed) throw new Error(`npm pack ${spec} wrote no tarball`);
      renameSync(join(work, packed), tarball);
    }
    execFileSync('tar', ['xzf', tarball, '-C', work, ...(wholePackage ? [] : [`package/${file}`])], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (wholePackage) {
      writeFileSync(join(work, '.complete'), spec);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      renameSync(join(work, 'package'), join(dir, 'package'));
      renameSync(join(work, '.complete'), done);
    } else {
      mkdirSync(dirname(target), { recursive: true });
      renameSync(join(work, 'package', file), target);
    }
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    throw new Error(`could not fetch ${file} of ${spec} from npm: ${detail.split('\n')[0]}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!existsSync(target)) throw new Error(`${spec} has no file ${file}`);
  return target;
}

async function fetchFromUrl(url: string, sha256: string, cacheDir: string): Promise<string> {
  const path = join(cacheDir, `sha256-${sha256}`);
  if (existsSync(path)) return path;
  // a kept-alive connection the server has just closed fails the request before it is sent: once more on a new one
  const response = await fetch(url).catch(() => fetch(url));
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) throw new Error(`${url} has sha256 ${actual}, the registry pins ${sha256}`);
  writeFileSync(path, bytes);
  return path;
}
