-- Orleans ADO.NET schema for PostgreSQL 15+: clustering (membership),
-- grain persistence and reminders. Orleans invariant "Npgsql".
--
-- IDEMPOTENT: safe to run at every start-up, as one multi-statement command
-- (no parameters) or with `psql -v ON_ERROR_STOP=1 -f 01-orleans.sql`.
-- Re-running refreshes the OrleansQuery rows and never touches stored data.
--
-- Notes for maintainers:
--  * Identifiers are unquoted, so PostgreSQL folds them to lower case
--    (Orleans itself runs "SELECT QueryKey, QueryText FROM OrleansQuery").
--    Npgsql matches result column names case-insensitively.
--  * Parameters are bound by Orleans under the names used below (@Name);
--    Npgsql sends them typed (int4, int8, text, bytea, timestamptz), so
--    "@X IS NULL" works without casts. DateTime values arrive as UTC and are
--    stored as timestamptz.
--  * No stored functions are used: every query is a single statement (using
--    data-modifying CTEs) or a plain list of statements.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

-- ---------------------------------------------------------------------------
-- Clustering
-- ---------------------------------------------------------------------------

-- One row per cluster (DeploymentId = ClusterId). Version is the membership
-- table version / ETag; every membership change increments it atomically.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL PRIMARY KEY,
    LastModified timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150) NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      varchar(45)  NOT NULL,
    Port         integer      NOT NULL,
    Generation   integer      NOT NULL,
    SiloName     varchar(150) NULL,
    HostName     varchar(150) NOT NULL,
    Status       integer      NOT NULL,
    ProxyPort    integer      NULL,
    SuspectTimes text         NULL,
    StartTime    timestamptz  NOT NULL,
    IAmAliveTime timestamptz  NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

-- ---------------------------------------------------------------------------
-- Grain persistence
-- ---------------------------------------------------------------------------

-- GrainIdExtensionString holds '' when the grain key has no extension, so the
-- unique key never contains NULL. (For string-keyed grains it holds the whole
-- key; keys longer than ~2 KB would exceed the B-tree entry limit.)
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer     NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainTypeHash          integer     NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdExtensionString text        NOT NULL DEFAULT '',
    ServiceId              text        NOT NULL,
    PayloadBinary          bytea       NULL,
    ModifiedOn             timestamptz NOT NULL DEFAULT now(),
    Version                integer     NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS ux_orleansstorage_grain
    ON OrleansStorage (GrainIdHash, GrainTypeHash, ServiceId, GrainTypeString,
                       GrainIdN0, GrainIdN1, GrainIdExtensionString);

-- ---------------------------------------------------------------------------
-- Reminders
-- ---------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    text        NOT NULL,
    GrainId      text        NOT NULL,
    ReminderName text        NOT NULL,
    StartTime    timestamptz NOT NULL,
    Period       bigint      NOT NULL,
    GrainHash    integer     NOT NULL,
    Version      integer     NOT NULL,
    PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS ix_orleansreminderstable_hash
    ON OrleansRemindersTable (ServiceId, GrainHash);

-- ---------------------------------------------------------------------------
-- Clustering queries. Membership rows are returned with the columns
-- Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
-- SuspectTimes, StartTime, IAmAliveTime, Version; the read queries always
-- return at least the version row (member columns NULL when absent).
-- ---------------------------------------------------------------------------

-- Creates the version row of a cluster; returns true if it was created.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey',
'WITH ins AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM ins);')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Inserts a silo row if @Version is the current table version (and the silo is
-- not there yet), bumping the version in the same statement. Returns a boolean.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey',
'WITH ver AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, LastModified = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND NOT EXISTS (SELECT 1 FROM OrleansMembershipTable
                      WHERE DeploymentId = @DeploymentId AND Address = @Address
                        AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), ins AS (
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status,
         ProxyPort, StartTime, IAmAliveTime)
    SELECT ver.DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
           @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM ver
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM ins);')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Updates a silo row if @Version is the current table version, bumping the
-- version in the same statement. Returns a boolean.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey',
'WITH ver AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, LastModified = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND EXISTS (SELECT 1 FROM OrleansMembershipTable
                  WHERE DeploymentId = @DeploymentId AND Address = @Address
                    AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), upd AS (
    UPDATE OrleansMembershipTable m
    SET Status = @Status,
        SuspectTimes = @SuspectTimes,
        IAmAliveTime = @IAmAliveTime
    FROM ver
    WHERE m.DeploymentId = ver.DeploymentId AND m.Address = @Address
      AND m.Port = @Port AND m.Generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM upd);')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Heartbeat; does not change the table version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey',
'UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address
  AND Port = @Port AND Generation = @Generation;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey',
'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName,
       m.Status, m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId AND m.Address = @Address
      AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey',
'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName,
       m.Status, m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Gateways for clients: @Status is Active (3); returns Address, ProxyPort, Generation.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey',
'SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey',
'DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Removes silos that are Dead (6) and have not been alive since @IAmAliveTime.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey',
'DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND IAmAliveTime < @IAmAliveTime
  AND Status = 6;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ---------------------------------------------------------------------------
-- Grain persistence queries
-- ---------------------------------------------------------------------------

-- Returns PayloadBinary, Version (no row when never written).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey',
'SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''');')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Optimistic write; always returns exactly one row. NewGrainStateVersion is the
-- new version, or NULL when @GrainStateVersion does not match the stored row
-- (Orleans raises InconsistentStateException; nothing was changed).
-- @GrainStateVersion NULL -> insert only if no row exists (version 1);
-- otherwise -> update only if the stored version equals it (version + 1).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey',
'WITH ins AS (
    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
         GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
           COALESCE(@GrainIdExtensionString, ''''), @ServiceId, @PayloadBinary, now(), 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT (GrainIdHash, GrainTypeHash, ServiceId, GrainTypeString,
                 GrainIdN0, GrainIdN1, GrainIdExtensionString) DO NOTHING
    RETURNING Version
), upd AS (
    UPDATE OrleansStorage
    SET PayloadBinary = @PayloadBinary, ModifiedOn = now(), Version = Version + 1
    WHERE GrainIdHash = @GrainIdHash
      AND GrainTypeHash = @GrainTypeHash
      AND ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''')
      AND Version = @GrainStateVersion
    RETURNING Version
)
SELECT COALESCE((SELECT Version FROM ins), (SELECT Version FROM upd)) AS NewGrainStateVersion;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Clear (DeleteStateOnClear=false): keeps the row without payload and bumps the
-- version. Returns the new version, or no row on version mismatch.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey',
'UPDATE OrleansStorage
SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Clear (DeleteStateOnClear=true): removes the row. Returns a value different
-- from the old version when deleted, or no row on version mismatch.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey',
'DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ---------------------------------------------------------------------------
-- Reminder queries. Result columns: GrainId, ReminderName, StartTime, Period
-- (milliseconds), Version. Hashes are signed int4; ranges are
-- (BeginHash, EndHash] on the ring.
-- ---------------------------------------------------------------------------

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Used when (int)BeginHash < (int)EndHash: a contiguous range.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Used otherwise: the range wraps around (or is the whole ring).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Unconditional upsert; returns the new Version (the reminder ETag).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey',
'INSERT INTO OrleansRemindersTable
    (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName)
DO UPDATE SET StartTime = excluded.StartTime,
              Period = excluded.Period,
              GrainHash = excluded.GrainHash,
              Version = OrleansRemindersTable.Version + 1
RETURNING Version;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Deletes when the ETag (@Version) matches; returns one boolean column.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey',
'WITH del AS (
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId
      AND ReminderName = @ReminderName AND Version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM del);')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey',
'DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
