using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Gateway.Sync.Store;

/// <summary>
/// Opening the store safely: the in-use lock, the integrity check and quarantine of a corrupt
/// file, the seq counter resumed above everything issued before, the <c>buffer.dropped</c> report
/// of a store reset or a relaxed-durability power loss, and the run marker (boot + clean shutdown).
/// </summary>
internal sealed class StoreRecovery(StoreContext store)
{
    /// <summary>
    /// Locks, checks (quarantining if need be) and opens the files at <see cref="StoreSettings.Path"/>,
    /// then lets <paramref name="start"/> build the store on them; on failure nothing is left open or created.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The path cannot hold a store (with the path and the OS reason).</exception>
    public static T Open<T>(StoreSettings settings, TimeProvider time, Func<SqliteConnection, SeqHighWaterMark, bool, StoreFileCheck.Quarantine?, T> start)
    {
        SQLitePCL.Batteries_V2.Init();
        var path = System.IO.Path.GetFullPath(settings.Path);
        var markPath = settings.Path + ".seq";
        var markExisted = File.Exists(markPath);
        if (Directory.Exists(path))
        {
            throw new StoreUnavailableException(path, "it is a directory; " + StoreUnavailableException.IsDirectoryReason, null);
        }
        var directory = System.IO.Path.GetDirectoryName(path)!;
        SeqHighWaterMark highWaterMark;
        try
        {
            Directory.CreateDirectory(directory);
            // The mark's file lock comes first: never inspect, let alone quarantine, a store another process has open.
            highWaterMark = SeqHighWaterMark.Open(markPath);
        }
        catch (StoreInUseException e)
        {
            throw new StoreUnavailableException(path, "it is in use by another gateway process (its .seq file is locked); stop that one first", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException(path, $"cannot write in {directory}: {StoreUnavailableException.OsReason(e)}", e);
        }
        SqliteConnection? connection = null;
        try
        {
            var quarantine = StoreFileCheck.Run(settings.Path, time.GetUtcNow());
            var existed = File.Exists(settings.Path);
            connection = StoreSchema.Open(settings.Path, readOnly: false);
            var fresh = !existed || StoreSchema.IsEmpty(connection);
            if (fresh)
            {
                StoreSchema.Create(connection);
            }
            StoreSchema.Configure(connection, settings.Durability, settings.WalCheckpointPages, settings.WalCheckpointBytes, settings.MaxPageCount);
            return start(connection, highWaterMark, fresh, quarantine);
        }
        catch (Exception e)
        {
            connection?.Dispose();
            highWaterMark.Dispose();
            if (!markExisted && !File.Exists(path))
            {
                File.Delete(markPath); // nothing was stored: leave nothing behind
            }
            if (e is SqliteException { SqliteErrorCode: 14 } or IOException or UnauthorizedAccessException)
            {
                throw new StoreUnavailableException(path, $"SQLite cannot open it ({(e is SqliteException s ? s.Message : StoreUnavailableException.OsReason(e))})", e);
            }
            throw;
        }
    }

    /// <summary>
    /// Resumes the seq counter and marks this run unclean until <see cref="SetRunMarker"/> says otherwise;
    /// returns the data of the <c>buffer.dropped</c> event to commit before anything else, if seqs may be lost.
    /// </summary>
    public string? Recover(bool fresh, StoreFileCheck.Quarantine? quarantine)
    {
        var connection = store.Connection;
        var settings = store.Settings;
        var mark = store.HighWaterMark.Current;
        store.LastSeq = Math.Max(
            StoreSchema.Scalar(connection, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'lastSeq'"),
            StoreSchema.Scalar(connection, "SELECT max(coalesce((SELECT max(seq) FROM reading), 0), coalesce((SELECT max(seq) FROM event), 0))"));
        store.UnsyncedInThisBoot = store.TryGetCurrentBootRow(out var boot)
            && StoreSchema.Scalar(connection, string.Create(CultureInfo.InvariantCulture, $"SELECT EXISTS(SELECT 1 FROM reading WHERE ts IS NULL AND boot = {boot}) OR EXISTS(SELECT 1 FROM event WHERE ts IS NULL AND boot = {boot})")) != 0;

        // A fresh store where seqs were issued before: continue above everything the old one may
        // have issued, and say which seqs may be lost (SPEC section 3: never reused, gaps named).
        string? resetData = null;
        if (fresh && (quarantine is not null || mark is { ReservedThrough: > 0 }))
        {
            if (mark is { } m && m.ReservedThrough > store.LastSeq)
            {
                store.LastSeq = m.ReservedThrough;
            }
            resetData = GapEventData(mark?.LowestUnacknowledged, mark?.ReservedThrough, "store-reset",
                quarantine?.Problem ?? "store file missing", quarantine is null ? null : System.IO.Path.GetFileName(quarantine.MovedTo));
            if (quarantine is not null)
            {
                Log.Quarantined(store.Logger, settings.Path, quarantine.Problem, quarantine.MovedTo, store.LastSeq);
            }
            else
            {
                Log.StoreMissing(store.Logger, settings.Path, store.LastSeq);
            }
        }
        else if (settings.Durability == StoreDurability.Relaxed && mark is { } rm && rm.ReservedThrough > store.LastSeq && UncleanRunOnAnotherBoot())
        {
            // Relaxed durability and the machine went down with us (power cut): commits after the
            // last fsync are gone, and their seqs may have been delivered. Never reuse them.
            resetData = GapEventData(store.LastSeq + 1, rm.ReservedThrough, "power-loss", "unclean shutdown with relaxed durability", null);
            Log.RelaxedPowerLoss(store.Logger, settings.Path, store.LastSeq + 1, rm.ReservedThrough);
            store.LastSeq = rm.ReservedThrough;
        }
        SetRunMarker(clean: false);
        return resetData;
    }

    /// <summary>Records whether this run ends cleanly, fsynced whatever the durability (relaxed mode relies on it).</summary>
    public void SetRunMarker(bool clean)
    {
        var synchronous = store.Settings.Durability == StoreDurability.Fsync ? "FULL" : "NORMAL";
        StoreSchema.Execute(store.Connection, "PRAGMA synchronous=FULL");
        using (var command = store.Connection.CreateCommand())
        {
            command.CommandText = "INSERT OR REPLACE INTO meta(key, value) VALUES ('boot', $boot), ('clean', $clean)";
            command.Parameters.AddWithValue("$boot", store.BootId);
            command.Parameters.AddWithValue("$clean", clean ? 1 : 0);
            command.ExecuteNonQuery();
        }
        StoreSchema.Execute(store.Connection, $"PRAGMA synchronous={synchronous}");
    }

    private bool UncleanRunOnAnotherBoot()
    {
        using var command = store.Connection.CreateCommand();
        command.CommandText = "SELECT (SELECT value FROM meta WHERE key = 'boot'), (SELECT value FROM meta WHERE key = 'clean')";
        using var row = command.ExecuteReader();
        row.Read();
        return !row.IsDBNull(0) && row.GetString(0) != store.BootId && !row.IsDBNull(1) && row.GetInt64(1) == 0;
    }

    /// <summary>The data of a <c>buffer.dropped</c> event for seqs that may be lost (an upper bound: some may have been delivered).</summary>
    private static string GapEventData(long? fromSeq, long? toSeq, string reason, string problem, string? quarantinedAs)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, RecordJson.WriterOptions))
        {
            json.WriteStartObject();
            if (fromSeq is { } from && toSeq is { } to && to >= from)
            {
                json.WriteNumber("fromSeq", from);
                json.WriteNumber("toSeq", to);
                json.WriteNumber("count", to - from + 1);
            }
            else
            {
                json.WriteNull("fromSeq");
                json.WriteNull("toSeq");
                json.WriteNull("count");
            }
            json.WriteString("reason", reason);
            json.WriteBoolean("exact", false);
            json.WriteString("problem", problem);
            if (quarantinedAs is not null)
            {
                json.WriteString("quarantinedAs", quarantinedAs);
            }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
