-- Columns added to the read model after its first release; idempotent (applied at every start-up).

-- A fan-out task's run on one node (id <task>@<node>) names its fan-out task here; the list, its count and the expiry
-- sweep skip such rows (the fan-out expires them), the node-loss watcher and placement use them like any row.
ALTER TABLE task_summary ADD COLUMN IF NOT EXISTS parent TEXT NULL;
-- A fan-out task's number of target nodes (0 or NULL for any other task).
ALTER TABLE task_summary ADD COLUMN IF NOT EXISTS nodes INTEGER NULL;
