-- RemoteExecutor read model for the embedded SQLite database.
-- Idempotent: applied at every start-up; also usable by hand: sqlite3 remote_executor.db < 10-app.sql
PRAGMA journal_mode=WAL;

-- One row per task, upserted on each task transition; serves the task list and the start-up recovery sweep.
CREATE TABLE IF NOT EXISTS task_summary (
    id        TEXT    NOT NULL PRIMARY KEY,
    node      TEXT    NOT NULL,
    state     INTEGER NOT NULL,
    code      INTEGER NOT NULL,
    message   TEXT    NOT NULL,
    env_vars  TEXT    NOT NULL,
    timeout   TEXT    NOT NULL,
    count     INTEGER NOT NULL,
    st        INTEGER NULL,      -- unix milliseconds
    et        INTEGER NULL,      -- unix milliseconds
    updated   INTEGER NOT NULL   -- unix milliseconds
);
CREATE INDEX IF NOT EXISTS ix_task_summary_state ON task_summary (state, node);
CREATE INDEX IF NOT EXISTS ix_task_summary_et ON task_summary (node, et);

-- Console output, numbered from 1 per step in the order the process wrote it. Lines read together are
-- stored together: one row per run of consecutive lines, so a step printing a million lines costs a few
-- hundred rows, not a million.
CREATE TABLE IF NOT EXISTS console_line (
    task     TEXT    NOT NULL,
    step     TEXT    NOT NULL,
    line     INTEGER NOT NULL,   -- number of the first line of this row (from 1)
    count    INTEGER NOT NULL,   -- consecutive lines held by this row
    ts       INTEGER NOT NULL,   -- unix nanoseconds when they were read
    content  TEXT    NOT NULL,   -- the lines joined by LF (a line never contains LF)
    PRIMARY KEY (task, step, line)
) WITHOUT ROWID;

-- Who did what through the API.
CREATE TABLE IF NOT EXISTS audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    ts       INTEGER NOT NULL,   -- unix milliseconds
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

-- Durable event log (GET /api/v1/events, webhooks): one row per task/step transition, ids increase. The same
-- event of the same run (ekey, e.g. "step.started:build") is stored once, however often a reactivated grain records it.
CREATE TABLE IF NOT EXISTS task_event (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    task     TEXT    NOT NULL,
    run      TEXT    NOT NULL,
    ekey     TEXT    NOT NULL,
    type     TEXT    NOT NULL,
    step     TEXT    NOT NULL,
    state    INTEGER NOT NULL,
    code     INTEGER NOT NULL,
    msg      TEXT    NOT NULL,
    node     TEXT    NOT NULL,
    time     TEXT    NOT NULL,   -- ISO 8601 UTC, when it happened
    ts       INTEGER NOT NULL    -- unix milliseconds, when it was stored
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_task_event_key ON task_event (task, run, ekey);

-- Webhook outbox: one row per event and hook of the task, written with the event; the node that runs the task
-- delivers it (at least once, retried with backoff until --webhook_retry) and survives restarts through it.
CREATE TABLE IF NOT EXISTS hook_delivery (
    event_id  INTEGER NOT NULL,
    hook      INTEGER NOT NULL,   -- index in the task's hooks
    task      TEXT    NOT NULL,
    node      TEXT    NOT NULL,
    url       TEXT    NOT NULL,
    secret    TEXT    NOT NULL,   -- sealed like secret env values; empty = unsigned
    state     INTEGER NOT NULL,   -- 0 pending, 1 delivered, 2 given up
    attempts  INTEGER NOT NULL,
    status    INTEGER NOT NULL,   -- last HTTP status (0: none)
    error     TEXT    NOT NULL,
    next_at   INTEGER NOT NULL,   -- unix milliseconds: not before
    created   INTEGER NOT NULL,   -- unix milliseconds
    PRIMARY KEY (event_id, hook)
);
CREATE INDEX IF NOT EXISTS ix_hook_delivery_due ON hook_delivery (node, state, event_id);
CREATE INDEX IF NOT EXISTS ix_hook_delivery_task ON hook_delivery (task);
