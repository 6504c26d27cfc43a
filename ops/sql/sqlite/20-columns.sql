-- Columns added to the read model after its first release. SQLite has no ADD COLUMN IF NOT EXISTS: the installer runs
-- each ALTER TABLE ... ADD COLUMN of this file only when the column is missing, so it is idempotent too.

-- A fan-out task's run on one node (id <task>@<node>) names its fan-out task here; the list, its count and the expiry
-- sweep skip such rows (the fan-out expires them), the node-loss watcher and placement use them like any row.
ALTER TABLE task_summary ADD COLUMN parent TEXT NULL;
-- A fan-out task's number of target nodes (0 or NULL for any other task).
ALTER TABLE task_summary ADD COLUMN nodes INTEGER NULL;
