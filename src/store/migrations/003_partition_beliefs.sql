-- Beliefs become range-partitioned by month of slot_start (measured at 100M rows: see docs/storage.md).
-- Partitions are created on write by ensure_belief_partitions(); a default partition catches anything else.
-- Each partition has the primary key (which also serves the latest-per-slot read, value included) and a
-- BRIN index on slot_start for queries across sensors by time.
ALTER TABLE beliefs RENAME TO beliefs_unpartitioned;
DROP INDEX beliefs_slot_brin;
ALTER INDEX beliefs_pkey RENAME TO beliefs_unpartitioned_pkey;

CREATE TABLE beliefs (
  sensor_id integer NOT NULL,
  slot_start timestamptz NOT NULL,
  belief_time timestamptz NOT NULL,
  source_id integer NOT NULL,
  value double precision NOT NULL,
  PRIMARY KEY (sensor_id, slot_start, belief_time, source_id) INCLUDE (value)
) PARTITION BY RANGE (slot_start);
CREATE TABLE beliefs_default PARTITION OF beliefs DEFAULT;
CREATE INDEX beliefs_slot_brin ON beliefs USING brin (slot_start);

-- Creates the monthly partitions (UTC months) covering [from_ts, to_ts], at most 240 of them per call.
-- A month whose rows already sit in the default partition keeps them there.
CREATE FUNCTION ensure_belief_partitions(from_ts timestamptz, to_ts timestamptz) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  m timestamp := date_trunc('month', from_ts AT TIME ZONE 'UTC');
  last timestamp := date_trunc('month', to_ts AT TIME ZONE 'UTC');
  part text;
  made integer := 0;
BEGIN
  IF last > m + interval '239 months' THEN last := m + interval '239 months'; END IF;
  WHILE m <= last LOOP
    part := 'beliefs_p' || to_char(m, 'YYYYMM');
    IF to_regclass(part) IS NULL THEN
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF beliefs FOR VALUES FROM (%L) TO (%L)',
          part, (m AT TIME ZONE 'UTC')::text, ((m + interval '1 month') AT TIME ZONE 'UTC')::text);
        made := made + 1;
      EXCEPTION
        WHEN duplicate_table THEN NULL; -- created meanwhile by another writer
        WHEN check_violation THEN NULL; -- rows of that month are in the default partition already
      END;
    END IF;
    m := m + interval '1 month';
  END LOOP;
  RETURN made;
END $$;

SELECT ensure_belief_partitions(min(slot_start), max(slot_start)) FROM beliefs_unpartitioned HAVING count(*) > 0;
INSERT INTO beliefs SELECT * FROM beliefs_unpartitioned;
DROP TABLE beliefs_unpartitioned;
