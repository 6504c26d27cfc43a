-- RemoteExecutor read model for a cluster's PostgreSQL database.
-- Idempotent: applied at every start-up (under an advisory lock); also usable by hand: psql -f 10-app.sql

CREATE TABLE IF NOT EXISTS task_summary (
    id        TEXT    NOT NULL PRIMARY KEY,
    node      TEXT    NOT NULL,
    state     INTEGER NOT NULL,
    code      INTEGER NOT NULL,
    message   TEXT    NOT NULL,
    env_vars  TEXT    NOT NULL,
    timeout   TEXT    NOT NULL,
    count     INTEGER NOT NULL,
    st        BIGINT  NULL,
    et        BIGINT  NULL,
    updated   BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_task_summary_state ON task_summary (state, node);
CREATE INDEX IF NOT EXISTS ix_task_summary_et ON task_summary (node, et);

CREATE TABLE IF NOT EXISTS console_line (
    task     TEXT    NOT NULL,
    step     TEXT    NOT NULL,
    line     BIGINT  NOT NULL,
    count    INTEGER NOT NULL,
    ts       BIGINT  NOT NULL,
    content  TEXT    NOT NULL,
    PRIMARY KEY (task, step, line)
);

CREATE TABLE IF NOT EXISTS audit (
    id       BIGSERIAL PRIMARY KEY,
    ts       BIGINT  NOT NULL,
    actor    TEXT    NOT NULL,
    client   TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    task     TEXT    NULL,
    step     TEXT    NULL,
    node     TEXT    NULL,
    outcome  TEXT    NOT NULL
);
-- Audit retention (--audit_expire) deletes the oldest rows first.
CREATE INDEX IF NOT EXISTS ix_audit_ts ON audit (ts);

-- Durable event log (GET /api/v1/events, webhooks); one row per transition and run (ekey), ids increase.
CREATE TABLE IF NOT EXISTS task_event (
    id       BIGSERIAL PRIMARY KEY,
    task     TEXT    NOT NULL,
    run      TEXT    NOT NULL,
    ekey     TEXT    NOT NULL,
    type     TEXT    NOT NULL,
    step     TEXT    NOT NULL,
    state    INTEGER NOT NULL,
    code     INTEGER NOT NULL,
    msg      TEXT    NOT NULL,
    node     TEXT    NOT NULL,
    time     TEXT    NOT NULL,
    ts       BIGINT  NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_task_event_key ON task_event (task, run, ekey);

-- Webhook outbox: one row per event and hook of the task, written with the event; the node that runs the task
-- delivers it (at least once, retried with backoff until --webhook_retry) and survives restarts through it.
CREATE TABLE IF NOT EXISTS hook_delivery (
    event_id  BIGINT NOT NULL,
    hook      INTEGER NOT NULL,   -- index in the task's hooks
    task      TEXT    NOT NULL,
    node      TEXT    NOT NULL,
    url       TEXT    NOT NULL,
    secret    TEXT    NOT NULL,   -- sealed like secret env values; empty = unsigned
    state     INTEGER NOT NULL,   -- 0 pending, 1 delivered, 2 given up
    attempts  INTEGER NOT NULL,
    status    INTEGER NOT NULL,   -- last HTTP status (0: none)
    error     TEXT    NOT NULL,
    next_at   BIGINT NOT NULL,   -- unix milliseconds: not before
    created   BIGINT NOT NULL,   -- unix milliseconds
    PRIMARY KEY (event_id, hook)
);
CREATE INDEX IF NOT EXISTS ix_hook_delivery_due ON hook_delivery (node, state, event_id);
CREATE INDEX IF NOT EXISTS ix_hook_delivery_task ON hook_delivery (task);
