using Microsoft.Data.Sqlite;

namespace Gateway.Sync.Store;

/// <summary>
/// The on-disk layout. A reading row is kept small (issue 3: ≤ 40 bytes on disk): its seq is the
/// rowid, device/point/unit are interned in <c>series</c>, <c>flags</c> packs quality and value
/// kind (0, stored in zero bytes, for a good double), whole doubles are stored as integers, and
/// the columns of an untrusted clock (mono, boot) are NULL (zero bytes) once time is trusted.
/// </summary>
internal static class StoreSchema
{
    public const int FormatVersion = 1;
    public const int PageSize = 4096;

    public const int QualityMask = 0b11;
    public const int KindShift = 2;

    private const string CreateTables = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
        CREATE TABLE series(id INTEGER PRIMARY KEY, device TEXT NOT NULL, point TEXT NOT NULL, unit TEXT NOT NULL, UNIQUE(device, point, unit));
        CREATE TABLE boot(id INTEGER PRIMARY KEY, boot_id TEXT NOT NULL UNIQUE);
        CREATE TABLE reading(seq INTEGER PRIMARY KEY, series INTEGER NOT NULL, ts INTEGER, value, flags INTEGER NOT NULL, delay INTEGER, mono INTEGER, boot INTEGER, reason TEXT);
        CREATE INDEX reading_unsynced ON reading(boot) WHERE ts IS NULL;
        CREATE TABLE event(seq INTEGER PRIMARY KEY, type TEXT NOT NULL, source TEXT NOT NULL, ts INTEGER, flags INTEGER NOT NULL, delay INTEGER, mono INTEGER, boot INTEGER, data TEXT NOT NULL);
        CREATE INDEX event_unsynced ON event(boot) WHERE ts IS NULL;
        CREATE TABLE snapshot(seq INTEGER PRIMARY KEY, stored INTEGER NOT NULL, jpeg BLOB NOT NULL);
        INSERT INTO meta(key, value) VALUES ('format', 1), ('lastSeq', 0);
        """;

    public static SqliteConnection Open(string path, bool readOnly)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false, // the file must be really closed before it can be quarantined
        };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>True when the file holds no table at all (a store whose creation never committed).</summary>
    public static bool IsEmpty(SqliteConnection connection) =>
        Scalar(connection, "SELECT count(*) FROM sqlite_master") == 0;

    /// <summary>Creates the tables in one transaction, so a crash leaves either none or all.</summary>
    public static void Create(SqliteConnection connection)
    {
        // page_size and auto_vacuum only take effect before the first table exists.
        Execute(connection, $"PRAGMA page_size={PageSize}; PRAGMA auto_vacuum=INCREMENTAL;");
        using var tx = connection.BeginTransaction();
        Execute(connection, CreateTables, tx);
        tx.Commit();
    }

    /// <summary>Null when the file is a healthy store of ours, else what is wrong with it.</summary>
    public static string? Verify(SqliteConnection connection)
    {
        using (var check = connection.CreateCommand())
        {
            check.CommandText = "PRAGMA quick_check";
            var result = check.ExecuteScalar() as string;
            if (result != "ok")
            {
                return "integrity check failed: " + result;
            }
        }
        using var format = connection.CreateCommand();
        format.CommandText = "SELECT value FROM meta WHERE key = 'format'";
        try
        {
            return format.ExecuteScalar() is long v && v == FormatVersion ? null : "not a store of this format";
        }
        catch (SqliteException)
        {
            return "not a store of this gateway (no meta table)";
        }
    }

    public static void Configure(SqliteConnection connection, StoreDurability durability, long walCheckpointPages, long walLimitBytes, long? maxPageCount)
    {
        var synchronous = durability == StoreDurability.Fsync ? "FULL" : "NORMAL";
        Execute(connection, $"""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous={synchronous};
            PRAGMA wal_autocheckpoint={walCheckpointPages};
            PRAGMA journal_size_limit={walLimitBytes};
            PRAGMA temp_store=MEMORY;
            """);
        if (maxPageCount is { } pages)
        {
            Execute(connection, $"PRAGMA max_page_count={pages}");
        }
    }

    public static long Scalar(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command.ExecuteScalar() is long v ? v : 0;
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.ExecuteNonQuery();
    }
}
