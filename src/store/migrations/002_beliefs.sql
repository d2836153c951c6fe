-- Beliefs: (sensor, slot start, belief time, source) -> value. See docs/storage.md for the layout choice.
-- No foreign keys on this table: a per-row RI check would halve bulk-load speed. The store checks sensors and
-- sources before writing, and the trigger below deletes a sensor's beliefs with the sensor (and so with its
-- site or asset, which cascade to the sensor).
CREATE TABLE beliefs (
  sensor_id integer NOT NULL,
  slot_start timestamptz NOT NULL,
  belief_time timestamptz NOT NULL,
  source_id integer NOT NULL,
  value double precision NOT NULL,
  PRIMARY KEY (sensor_id, slot_start, belief_time, source_id) INCLUDE (value)
);
CREATE INDEX beliefs_slot_brin ON beliefs USING brin (slot_start);

CREATE FUNCTION beliefs_delete_with_sensor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM beliefs WHERE sensor_id = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER sensors_delete_beliefs AFTER DELETE ON sensors FOR EACH ROW EXECUTE FUNCTION beliefs_delete_with_sensor();
