-- The edge service: agents (credentials, last seen, live values), seen message ids (idempotency), contracts.
CREATE TABLE edge_agents (
  site_id integer PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
  token_hash text,
  last_seen timestamptz,
  last_heartbeat timestamptz,
  control text,
  live jsonb NOT NULL DEFAULT '{}',
  messages bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0,
  last_event jsonb
);

CREATE TABLE edge_messages_seen (
  site_id integer NOT NULL,
  message_id text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (site_id, message_id)
);
CREATE INDEX edge_messages_seen_received ON edge_messages_seen (received_at);

CREATE TABLE edge_contracts (
  id text PRIMARY KEY,
  site_id integer NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  device text NOT NULL,
  state text NOT NULL,
  start_at timestamptz NOT NULL,
  duration_ms bigint NOT NULL,
  power_kw jsonb NOT NULL,
  heartbeat_ms integer NOT NULL,
  grace_ms integer NOT NULL,
  reason text,
  updated_at timestamptz NOT NULL
);
CREATE INDEX edge_contracts_site ON edge_contracts (site_id, updated_at);
