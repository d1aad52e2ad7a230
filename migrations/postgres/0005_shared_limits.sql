-- Limits shared by every instance on this database (issue 15): the per-client request token
-- buckets (SPEC §7) and the failed-login logs (SPEC §3). In memory each instance would grant
-- its own budget, so N instances behind a load balancer would allow N times the limit.
--
-- Buckets: one row per (budget, client address), refilled from the database's clock, so the
-- instances' clocks do not matter. One INSERT … ON CONFLICT DO UPDATE takes a token: the row
-- lock serializes concurrent takes, so no token is ever spent twice. A bucket idle long enough
-- to be full again carries no information and is deleted by a periodic sweep.
--
-- Failed logins: the same sliding windows as the in-memory LoginThrottle, one row per failure
-- per (account, client) and per account, plus the addresses that logged into an account. The
-- functions below run each step in one round trip under a transaction-scoped advisory lock
-- per account (class 0x636F6665 = "cofe", key = hash of the normalised email), so concurrent
-- attempts on several instances are counted one after the other, never past the limit.

CREATE UNLOGGED TABLE shared_rate_buckets (
    budget TEXT NOT NULL,
    client TEXT NOT NULL,
    tokens DOUBLE PRECISION NOT NULL,
    allowed BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (budget, client)
);
CREATE INDEX shared_rate_buckets_updated ON shared_rate_buckets (updated_at);

-- The tokens of a bucket refilled up to now (the statement's start): p_per_second tokens a
-- second up to p_burst. A statement that started before the row's last update adds nothing.
CREATE FUNCTION coffee_bucket_refill(p_tokens DOUBLE PRECISION, p_updated_at TIMESTAMPTZ,
                                     p_burst DOUBLE PRECISION, p_per_second DOUBLE PRECISION)
RETURNS DOUBLE PRECISION LANGUAGE sql STABLE AS $$
    SELECT LEAST(p_burst, p_tokens + p_per_second
                 * GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - p_updated_at)::float8))
$$;

CREATE TABLE login_pair_failures (
    account TEXT NOT NULL,
    client TEXT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_pair_failures_key ON login_pair_failures (account, client, failed_at);
CREATE INDEX login_pair_failures_time ON login_pair_failures (failed_at);

CREATE TABLE login_account_failures (
    account TEXT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_account_failures_key ON login_account_failures (account, failed_at);
CREATE INDEX login_account_failures_time ON login_account_failures (failed_at);

CREATE TABLE login_known_clients (
    account TEXT NOT NULL,
    client TEXT NOT NULL,
    last_login TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account, client)
);
CREATE INDEX login_known_clients_time ON login_known_clients (last_login);

-- Before the password is checked: seconds to wait (> 0) when refused, else 0 and the attempt
-- counts as a failure at p_now until coffee_login_forget removes it.
CREATE FUNCTION coffee_login_begin(p_account TEXT, p_client TEXT, p_now TIMESTAMPTZ,
                                   p_window INTERVAL, p_per_client INTEGER,
                                   p_per_account INTEGER, p_remember INTERVAL)
RETURNS DOUBLE PRECISION LANGUAGE plpgsql AS $$
DECLARE
    oldest TIMESTAMPTZ;
    wait DOUBLE PRECISION := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(x'636F6665'::INTEGER, hashtext(p_account));
    DELETE FROM login_pair_failures WHERE account = p_account AND failed_at <= p_now - p_window;
    DELETE FROM login_account_failures WHERE account = p_account AND failed_at <= p_now - p_window;
    -- The failure whose leaving the window frees a slot: the limit-th most recent.
    SELECT failed_at INTO oldest FROM login_pair_failures
     WHERE account = p_account AND client = p_client
     ORDER BY failed_at DESC OFFSET p_per_client - 1 LIMIT 1;
    IF FOUND THEN
        wait := EXTRACT(EPOCH FROM oldest + p_window - p_now);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM login_known_clients
                    WHERE account = p_account AND client = p_client
                      AND last_login > p_now - p_remember) THEN
        SELECT failed_at INTO oldest FROM login_account_failures
         WHERE account = p_account
         ORDER BY failed_at DESC OFFSET p_per_account - 1 LIMIT 1;
        IF FOUND THEN
            wait := GREATEST(wait, EXTRACT(EPOCH FROM oldest + p_window - p_now));
        END IF;
    END IF;
    IF wait > 0 THEN
        RETURN LEAST(wait, EXTRACT(EPOCH FROM p_window));
    END IF;
    INSERT INTO login_pair_failures (account, client, failed_at) VALUES (p_account, p_client, p_now);
    INSERT INTO login_account_failures (account, failed_at) VALUES (p_account, p_now);
    RETURN 0;
END
$$;

-- The attempt begun at p_started ended: with the right password (p_succeeded: the pair's
-- failures are forgotten and the address becomes known), or without a verdict (it stops
-- counting). Either way it no longer counts against the account.
CREATE FUNCTION coffee_login_forget(p_account TEXT, p_client TEXT, p_started TIMESTAMPTZ,
                                    p_succeeded BOOLEAN)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(x'636F6665'::INTEGER, hashtext(p_account));
    IF p_succeeded THEN
        DELETE FROM login_pair_failures WHERE account = p_account AND client = p_client;
        INSERT INTO login_known_clients AS k (account, client, last_login)
        VALUES (p_account, p_client, p_started)
        ON CONFLICT (account, client)
        DO UPDATE SET last_login = GREATEST(k.last_login, EXCLUDED.last_login);
    ELSE
        DELETE FROM login_pair_failures WHERE ctid = (
            SELECT ctid FROM login_pair_failures
             WHERE account = p_account AND client = p_client AND failed_at = p_started LIMIT 1);
    END IF;
    DELETE FROM login_account_failures WHERE ctid = (
        SELECT ctid FROM login_account_failures
         WHERE account = p_account AND failed_at = p_started LIMIT 1);
END
$$;
