import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { CatalogueError } from './catalogue/load.ts';
import { ConfigError } from './config.ts';

/**
 * An operator mistake found at start-up (a path latchkey cannot use, a port in use, a key that does
 * not open the stored secrets). The server and the scripts print its message as one line and exit 1.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * An operator mistake (bad configuration, toolkit file or path): one line on stderr, no stack, exit 1.
 * Anything else is a bug and keeps its stack. Used by the server and the operator scripts alike.
 */
export function exitOnOperatorError(error: unknown, prefix = ''): never {
  if (error instanceof ConfigError || error instanceof CatalogueError || error instanceof StartupError) {
    console.error(`${prefix}${error.message}`);
    process.exit(1);
  }
  throw error;
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'no such file or directory',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a directory',
  ENOSPC: 'no space left on the device',
};

/** One line for a file system error: what latchkey was doing, the path, and the reason in words. */
export function fsStartupError(doing: string, path: string, error: unknown): StartupError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return new StartupError(`cannot ${doing} ${path}: ${REASONS[code] ?? (error as Error).message}`);
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns for some paths (under /proc it
 * retries forever at full CPU), so each missing ancestor is created alone and the first failure is final.
 */
export function makeDirectory(path: string, mode = 0o700): void {
  const missing: string[] = [];
  for (let at = path; !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fsStartupError('create the directory', dir, error);
    }
  }
  if (!statSync(path).isDirectory()) throw new StartupError(`cannot use ${path} as a directory: it is a file`);
}
