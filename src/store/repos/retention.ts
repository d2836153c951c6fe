import type { Db } from '../db.ts';
import { numOrNull, ts } from '../db.ts';
import { SOURCE_KINDS, type SourceKind, type Store } from '../types.ts';
import { invalid } from '../../core/errors.ts';

export function retentionRepo(db: Db): Store['retention'] {
  return {
    async setForSourceKind(kind, retentionMs) {
      if (!SOURCE_KINDS.includes(kind)) throw invalid('kind', `must be one of ${SOURCE_KINDS.join(', ')}`);
      if (retentionMs !== null && !(Number.isInteger(retentionMs) && retentionMs > 0)) throw invalid('retentionMs', 'must be a positive whole number of milliseconds, or null to keep');
      await db.query(
        'INSERT INTO source_kind_retention (kind, retention_ms) VALUES ($1, $2) ON CONFLICT (kind) DO UPDATE SET retention_ms = EXCLUDED.retention_ms',
        [kind, retentionMs],
      );
    },
    async getForSourceKinds() {
      const rows = await db.query<{ kind: SourceKind; retention_ms: string | number | null }>('SELECT kind, retention_ms FROM source_kind_retention');
      return Object.fromEntries(rows.map((r) => [r.kind, numOrNull(r.retention_ms)]));
    },
    /**
     * One range delete per sensor with a retention (on the primary key), then one per sensor without its
     * own retention and source kind with a default. Each delete walks the index, never the whole table.
     */
    async purge(now) {
      if (!Number.isFinite(now)) throw invalid('now', 'not a time');
      return db.transaction(async (tx) => {
        const bySensor = await tx.query<{ n: string | number }>(
          `WITH gone AS (
             DELETE FROM beliefs b USING sensors s
              WHERE s.retention_ms IS NOT NULL AND b.sensor_id = s.id
                AND b.slot_start < $1::timestamptz - s.retention_ms * interval '1 millisecond'
             RETURNING 1)
           SELECT count(*) AS n FROM gone`,
          [ts(now)],
        );
        const byKind = await tx.query<{ n: string | number }>(
          `WITH gone AS (
             DELETE FROM beliefs b USING sensors s, sources src, source_kind_retention k
              WHERE s.retention_ms IS NULL AND k.retention_ms IS NOT NULL AND src.kind = k.kind
                AND b.sensor_id = s.id AND b.source_id = src.id
                AND b.slot_start < $1::timestamptz - k.retention_ms * interval '1 millisecond'
             RETURNING 1)
           SELECT count(*) AS n FROM gone`,
          [ts(now)],
        );
        return Number(bySensor[0].n) + Number(byKind[0].n);
      });
    },
  };
}
