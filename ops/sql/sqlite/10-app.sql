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

-- Console output, one row per line, numbered from 1 per step in the order the process wrote it.
CREATE TABLE IF NOT EXISTS console_line (
    task     TEXT    NOT NULL,
    step     TEXT    NOT NULL,
    line     INTEGER NOT NULL,
    ts       INTEGER NOT NULL,   -- unix nanoseconds
    content  TEXT    NOT NULL,
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
