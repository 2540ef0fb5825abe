import { z } from 'zod';
import { AppError } from '../errors.ts';

/** Composio's page shape: `{items, next_cursor, total_pages, current_page, total_items}`. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  total_pages: number;
  current_page: number;
  total_items: number;
}

/**
 * The largest page. Composio answers a larger `limit` with a page of this size rather than an error, and
 * its SDK relies on that: `tools.get(user, {tools: [...]})` always sends `limit=9999`.
 */
export const MAX_PAGE_SIZE = 1000;

export const pageQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .transform((n) => (n === undefined ? undefined : Math.min(n, MAX_PAGE_SIZE))),
  cursor: z.string().max(200).optional(),
};

/** An opaque cursor: base64url of the offset, so clients pass it back and never build one. */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    // a safe integer only: a larger one (1e300) is no offset we issued and cannot be written into SQL's OFFSET
    if (typeof parsed?.o === 'number' && Number.isSafeInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // falls through to the error
  }
  throw new AppError('INVALID_CURSOR');
}

/** Pages an in-memory list (the catalogue); storage-backed lists page in SQL with the same cursor. */
export function pageOf<T>(all: T[], options: { limit?: number; cursor?: string }, defaultLimit = 20): Page<T> {
  const limit = options.limit ?? defaultLimit;
  const offset = decodeCursor(options.cursor);
  const items = all.slice(offset, offset + limit);
  const next = offset + limit < all.length ? encodeCursor(offset + limit) : null;
  return {
    items,
    next_cursor: next,
    total_pages: Math.max(1, Math.ceil(all.length / limit)),
    current_page: Math.floor(offset / limit) + 1,
    total_items: all.length,
  };
}

/** A page built from a storage query that already applied `offset`/`limit` and counted the total. */
export function pageFromQuery<T>(items: T[], total: number, offset: number, limit: number): Page<T> {
  return {
    items,
    next_cursor: offset + items.length < total ? encodeCursor(offset + limit) : null,
    total_pages: Math.max(1, Math.ceil(total / limit)),
    current_page: Math.floor(offset / limit) + 1,
    total_items: total,
  };
}
