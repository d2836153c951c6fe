-- What each settled market slot was last settled from (a digest of its members' meter beliefs, the imbalance
-- prices and the market's prices), so the minute job settles again only the slots whose inputs changed.
CREATE TABLE market_settlement_inputs (
  market_id integer NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
  slot_start bigint NOT NULL,
  inputs text NOT NULL,
  settled_at bigint NOT NULL,
  PRIMARY KEY (market_id, slot_start)
);
