using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Gateway.Sync.Store;

/// <summary>
/// Acknowledged seqs, collected from the forwarder and deleted in batches (every
/// <c>storage.ackFlushSeconds</c> or <see cref="StoreSettings.AckFlushCount"/> acks), not per record,
/// so flash is not rewritten per record. <see cref="Add"/> is thread-safe; <see cref="Flush"/> runs on the writer.
/// </summary>
internal sealed class AcknowledgementLog(StoreContext store)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<RecordClass, List<long>> _pending = new()
    {
        [RecordClass.Event] = [],
        [RecordClass.Snapshot] = [],
        [RecordClass.Telemetry] = [],
    };
    private int _count;

    /// <summary>True when enough acknowledgements wait that the writer should flush now.</summary>
    public bool FlushDue
    {
        get
        {
            lock (_gate)
            {
                return _count >= store.Settings.AckFlushCount;
            }
        }
    }

    /// <summary>Adds acknowledged seqs; returns <see cref="FlushDue"/>.</summary>
    public bool Add(RecordClass recordClass, IEnumerable<long> seqs)
    {
        lock (_gate)
        {
            var list = _pending[recordClass];
            var before = list.Count;
            list.AddRange(seqs);
            _count += list.Count - before;
            return _count >= store.Settings.AckFlushCount;
        }
    }

    /// <summary>Deletes every acknowledged record in one transaction, then gives free pages back.</summary>
    public void Flush()
    {
        Dictionary<RecordClass, long[]> acks;
        lock (_gate)
        {
            if (_count == 0)
            {
                return;
            }
            acks = _pending.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
            foreach (var list in _pending.Values)
            {
                list.Clear();
            }
            _count = 0;
        }
        using (var tx = store.Connection.BeginTransaction())
        {
            Delete(tx, "reading", acks[RecordClass.Telemetry]);
            Delete(tx, "event", acks[RecordClass.Event]);
            Delete(tx, "snapshot", acks[RecordClass.Snapshot]);
            store.SaveLastSeq(tx);
            tx.Commit();
        }
        ReclaimSpace();
    }

    private void Delete(SqliteTransaction tx, string table, long[] seqs)
    {
        if (seqs.Length == 0)
        {
            return;
        }
        // Runs of consecutive acknowledged seqs go in one range delete: every seq of such a run is
        // acknowledged, so the range cannot catch a record that is not.
        using var command = store.Connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"DELETE FROM {table} WHERE seq BETWEEN $from AND $to";
        var from = command.Parameters.Add("$from", SqliteType.Integer);
        var to = command.Parameters.Add("$to", SqliteType.Integer);
        Array.Sort(seqs);
        for (var i = 0; i < seqs.Length;)
        {
            var j = i;
            while (j + 1 < seqs.Length && seqs[j + 1] <= seqs[j] + 1)
            {
                j++;
            }
            from.Value = seqs[i];
            to.Value = seqs[j];
            command.ExecuteNonQuery();
            i = j + 1;
        }
    }

    /// <summary>Gives free pages back to the file system after a drain (issue 3: space reclaimed).</summary>
    private void ReclaimSpace()
    {
        var pages = StoreSchema.Scalar(store.Connection, "PRAGMA page_count");
        var free = StoreSchema.Scalar(store.Connection, "PRAGMA freelist_count");
        if (free >= 16 && free * 4 >= pages) // a quarter free: worth moving pages for
        {
            StoreSchema.Execute(store.Connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA incremental_vacuum({free})"));
        }
    }
}
