-- Orleans ADO.NET schema for SQLite: grain persistence + reminders.
-- Orleans invariant "System.Data.SQLite" (Orleans loads Microsoft.Data.Sqlite for it).
-- Clustering is not stored here (SQLite deployments use localhost clustering).
--
-- IDEMPOTENT: safe to run at every start-up, as one multi-statement command
-- or with `sqlite3 orleans.db < 01-orleans.sql`. Re-running refreshes the
-- OrleansQuery rows and never touches stored grain state or reminders.
--
-- Notes for maintainers:
--  * Parameters are bound by Orleans under the names used below (@Name).
--  * Write queries start with "PRAGMA synchronous=NORMAL;" (a per-connection
--    setting; Orleans opens its own pooled connections). It returns no result
--    set, so Orleans still reads the write's result correctly. Do NOT add
--    "PRAGMA busy_timeout=N;" here: it returns a row, which Orleans would feed
--    to the result reader and fail (column not found).
--  * DateTime parameters are stored by Microsoft.Data.Sqlite as TEXT
--    'yyyy-MM-dd HH:mm:ss.FFFFFFF' (UTC, no offset); Orleans reads them back
--    as UTC.
--  * Grain hashes are signed 32-bit integers (may be negative).

PRAGMA journal_mode=WAL;

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

-- Grain state. GrainIdExtensionString holds '' when the grain key has no
-- extension, so that the unique key below never contains NULL (SQLite treats
-- NULLs as distinct in unique indexes).
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT    NOT NULL DEFAULT '',
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,
    ModifiedOn             TEXT    NOT NULL,
    Version                INTEGER NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_Grain
    ON OrleansStorage (GrainIdHash, GrainTypeHash, ServiceId, GrainTypeString,
                       GrainIdN0, GrainIdN1, GrainIdExtensionString);

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    TEXT    NOT NULL,
    GrainId      TEXT    NOT NULL,
    ReminderName TEXT    NOT NULL,
    StartTime    TEXT    NOT NULL,
    Period       INTEGER NOT NULL,
    GrainHash    INTEGER NOT NULL,
    Version      INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS IX_OrleansRemindersTable_Hash
    ON OrleansRemindersTable (ServiceId, GrainHash);

-- ---------------------------------------------------------------------------
-- Grain persistence queries
-- ---------------------------------------------------------------------------

-- Returns PayloadBinary, Version (no row when the grain has never been written).
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey',
'SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''');');

-- Optimistic write. Exactly one row is always returned: NewGrainStateVersion is
-- the new version, or NULL when @GrainStateVersion did not match the stored row
-- (Orleans then raises InconsistentStateException and nothing was changed).
--   no row,  @GrainStateVersion NULL     -> insert, version 1
--   row,     @GrainStateVersion NULL     -> conflict (upsert WHERE is false)
--   row,     @GrainStateVersion = stored -> update, version + 1
--   row,     @GrainStateVersion <> stored-> conflict
--   no row,  @GrainStateVersion not NULL -> conflict (SELECT yields no row)
-- The single upsert statement is atomic; changes() reports whether it wrote.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey',
'PRAGMA synchronous=NORMAL;
INSERT INTO OrleansStorage
    (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
     GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
       IFNULL(@GrainIdExtensionString, ''''), @ServiceId, @PayloadBinary,
       strftime(''%Y-%m-%d %H:%M:%f'', ''now''), 1
WHERE @GrainStateVersion IS NULL
   OR EXISTS (SELECT 1 FROM OrleansStorage
              WHERE GrainIdHash = @GrainIdHash
                AND GrainTypeHash = @GrainTypeHash
                AND ServiceId = @ServiceId
                AND GrainTypeString = @GrainTypeString
                AND GrainIdN0 = @GrainIdN0
                AND GrainIdN1 = @GrainIdN1
                AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, ''''))
ON CONFLICT (GrainIdHash, GrainTypeHash, ServiceId, GrainTypeString,
             GrainIdN0, GrainIdN1, GrainIdExtensionString)
DO UPDATE SET PayloadBinary = excluded.PayloadBinary,
              ModifiedOn = excluded.ModifiedOn,
              Version = OrleansStorage.Version + 1
WHERE OrleansStorage.Version = @GrainStateVersion;
SELECT CASE WHEN changes() > 0 THEN IFNULL(@GrainStateVersion, 0) + 1 END AS NewGrainStateVersion;');

-- Clear (DeleteStateOnClear=false): keeps the row, drops the payload, bumps the
-- version. Returns the new version, or no row on version mismatch.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey',
'PRAGMA synchronous=NORMAL;
UPDATE OrleansStorage
SET PayloadBinary = NULL,
    ModifiedOn = strftime(''%Y-%m-%d %H:%M:%f'', ''now''),
    Version = Version + 1
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;');

-- Clear (DeleteStateOnClear=true): removes the row. Returns a non-null value
-- different from the old version when deleted, no row on version mismatch.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey',
'PRAGMA synchronous=NORMAL;
DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;');

-- ---------------------------------------------------------------------------
-- Reminder queries. Result columns: GrainId, ReminderName, StartTime, Period
-- (milliseconds), Version. Hash ranges are (BeginHash, EndHash] on the ring.
-- ---------------------------------------------------------------------------

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId;');

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;');

-- Used when (int)BeginHash < (int)EndHash: a contiguous range.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;');

-- Used otherwise: the range wraps around (or is the whole ring).
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);');

-- Unconditional upsert; returns the new Version (the reminder ETag).
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey',
'PRAGMA synchronous=NORMAL;
INSERT INTO OrleansRemindersTable
    (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName)
DO UPDATE SET StartTime = excluded.StartTime,
              Period = excluded.Period,
              GrainHash = excluded.GrainHash,
              Version = OrleansRemindersTable.Version + 1
RETURNING Version;');

-- Deletes when the ETag (@Version) matches; returns one boolean column.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey',
'PRAGMA synchronous=NORMAL;
DELETE FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId
  AND ReminderName = @ReminderName AND Version = @Version;
SELECT changes() > 0;');

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey',
'PRAGMA synchronous=NORMAL;
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;');
