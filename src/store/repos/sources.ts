import type { Db } from '../db.ts';
import { SOURCE_KINDS, type Source, type SourceKind, type Store } from '../types.ts';
import { invalid } from '../../core/errors.ts';

type Row = { id: number; kind: SourceKind; name: string; version: string };
const toSource = (r: Row): Source => ({ id: r.id, kind: r.kind, name: r.name, version: r.version });

export function sourcesRepo(db: Db): Store['sources'] {
  return {
    async ensure(input) {
      if (!SOURCE_KINDS.includes(input.kind)) throw invalid('source.kind', `must be one of ${SOURCE_KINDS.join(', ')}`);
      if (typeof input.name !== 'string' || input.name.trim() === '') throw invalid('source.name', 'a source needs a name');
      const version = input.version ?? '';
      // DO UPDATE (a no-op) so that RETURNING gives the row whether it was new or not.
      const rows = await db.query<Row>(
        `INSERT INTO sources (kind, name, version) VALUES ($1, $2, $3)
         ON CONFLICT (kind, name, version) DO UPDATE SET name = EXCLUDED.name RETURNING *`,
        [input.kind, input.name.trim(), version],
      );
      return toSource(rows[0]);
    },
    async get(id) {
      const rows = await db.query<Row>('SELECT * FROM sources WHERE id = $1', [id]);
      return rows[0] ? toSource(rows[0]) : null;
    },
    async list() {
      return (await db.query<Row>('SELECT * FROM sources ORDER BY id')).map(toSource);
    },
  };
}
