/**
 * Whether a write failed on a unique constraint of this table's column, on either engine:
 * PostgreSQL's SQLSTATE 23505 (unique_violation) names the key in its detail, "Key (name)=(…)";
 * SQLite's SQLITE_CONSTRAINT_UNIQUE says "UNIQUE constraint failed: table.column".
 */
export function isUniqueViolation(error: unknown, table: string, column: string): boolean {
  const e = error as { code?: unknown; message?: unknown; detail?: unknown; table?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === '23505') return e.table === table && typeof e.detail === 'string' && e.detail.startsWith(`Key (${column})=`);
  return e.code === 'SQLITE_CONSTRAINT_UNIQUE' && e.message === `UNIQUE constraint failed: ${table}.${column}`;
}
