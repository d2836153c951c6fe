\timing on
SET maintenance_work_mem = '2GB';
SET synchronous_commit = off;
DROP SCHEMA IF EXISTS store_scale CASCADE;
CREATE SCHEMA store_scale;
SET search_path = store_scale;
-- Layout A: one plain heap, primary key btree covering the value, BRIN on slot_start.
CREATE TABLE beliefs_a (sensor_id integer NOT NULL, slot_start timestamptz NOT NULL, belief_time timestamptz NOT NULL, source_id integer NOT NULL, value double precision NOT NULL);
-- 951 sensors x 35,040 quarter-hours of 2025 x 3 belief versions = 99,964,080 rows, written in time order as a live system would.
INSERT INTO beliefs_a
SELECT s, t, t + CASE k WHEN 1 THEN interval '-1 day' WHEN 2 THEN interval '-1 hour' ELSE interval '15 min' END, k, (s * 7 + i) % 1000 / 10.0
FROM generate_series(0, 35039) i
CROSS JOIN LATERAL (SELECT timestamptz '2025-01-01 00:00+00' + i * interval '15 min' AS t) g
CROSS JOIN LATERAL generate_series(1, 951) s
CROSS JOIN LATERAL generate_series(1, 3) k;
ALTER TABLE beliefs_a ADD PRIMARY KEY (sensor_id, slot_start, belief_time, source_id) INCLUDE (value);
CREATE INDEX beliefs_a_brin ON beliefs_a USING brin (slot_start);
VACUUM ANALYZE beliefs_a;
-- Layout B: range-partitioned by month of slot_start, same key per partition.
CREATE TABLE beliefs_b (sensor_id integer NOT NULL, slot_start timestamptz NOT NULL, belief_time timestamptz NOT NULL, source_id integer NOT NULL, value double precision NOT NULL) PARTITION BY RANGE (slot_start);
DO $$ DECLARE m date; BEGIN
  FOR m IN SELECT generate_series(date '2025-01-01', date '2025-12-01', interval '1 month')::date LOOP
    EXECUTE format('CREATE TABLE beliefs_b_%s PARTITION OF beliefs_b FOR VALUES FROM (%L) TO (%L)', to_char(m, 'YYYYMM'), m::timestamptz, (m + interval '1 month')::timestamptz);
  END LOOP;
END $$;
CREATE TABLE beliefs_b_default PARTITION OF beliefs_b DEFAULT;
INSERT INTO beliefs_b SELECT * FROM beliefs_a;
ALTER TABLE beliefs_b ADD PRIMARY KEY (sensor_id, slot_start, belief_time, source_id) INCLUDE (value);
CREATE INDEX beliefs_b_brin ON beliefs_b USING brin (slot_start);
VACUUM ANALYZE beliefs_b;
SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) total, pg_size_pretty(pg_relation_size(oid)) heap FROM pg_class WHERE relnamespace = 'store_scale'::regnamespace AND relkind IN ('r','p','i') ORDER BY relname;
