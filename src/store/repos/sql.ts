/** Small SQL-building helpers shared by the repositories. */
import type { Scope } from '../types.ts';

/** Collects positional parameters and hands out `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** `TRUE` for the admin scope, else `<column> = $n` for the scope's account. */
export function scopeWhere(scope: Scope, column: string, p: Params): string {
  return scope === 'all' ? 'TRUE' : `${column} = ${p.add(scope.accountId)}`;
}

export function inScope(scope: Scope, accountId: number): boolean {
  return scope === 'all' || scope.accountId === accountId;
}

/**
 * `SET a = $1, b = $2` for the patch keys that have a column in `columns` (camelCase key -> column);
 * `encode` turns a value into its parameter. Returns null when the patch changes nothing.
 */
export function setClause(patch: Record<string, unknown>, columns: Record<string, string>, p: Params, encode: (key: string, v: unknown) => unknown = (_k, v) => v): string | null {
  const parts: string[] = [];
  for (const [key, column] of Object.entries(columns)) {
    if (patch[key] !== undefined) parts.push(`${column} = ${p.add(encode(key, patch[key]))}`);
  }
  return parts.length ? `SET ${parts.join(', ')}` : null;
}
