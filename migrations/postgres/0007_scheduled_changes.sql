-- Scheduled changes (issue 14 item 5): an admin write of the rules configuration that takes
-- effect at a future instant, applied exactly once by whichever instance claims it first.
CREATE TABLE scheduled_changes (
  id           BIGSERIAL PRIMARY KEY,
  effective_at TIMESTAMPTZ NOT NULL,
  change       TEXT NOT NULL,
  note         TEXT,
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'applied', 'failed', 'cancelled')),
  created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  settled_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
  settled_at   TIMESTAMPTZ,
  version      BIGINT,
  failure      TEXT
);
CREATE INDEX scheduled_changes_pending ON scheduled_changes (effective_at, id)
  WHERE status = 'pending';
-- The change-log row of an applied scheduled change names it.
ALTER TABLE config_change_log ADD COLUMN scheduled_change_id BIGINT;
