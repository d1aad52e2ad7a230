-- A per-user token version: access tokens carry the version they were issued at, and a role or
-- password change increments it, so older tokens stop working on the next request (issue 16).
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
