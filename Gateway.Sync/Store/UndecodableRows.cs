using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Gateway.Sync.Store;

/// <summary>
/// Rows the reader could not decode (damage <c>PRAGMA quick_check</c> does not see): handed to the
/// writer, which deletes them and stores a <c>buffer.dropped</c> event per run of consecutive seqs
/// (SPEC section 3: no silent loss), so one bad row never stalls the uplink behind it.
/// </summary>
internal sealed class UndecodableRows(StoreContext store, RecordInserter inserter, ChannelWriter<WriteRequest> requests)
{
    // Seqs handed over: each is reported once (a reader may meet it again before it is deleted).
    private readonly HashSet<(RecordClass, long)> _reported = [];

    /// <summary>The reader's hand-over; never throws but for cancellation.</summary>
    public async Task ReportAsync(RecordClass recordClass, IReadOnlyList<(long Seq, string Problem)> rows, CancellationToken cancellationToken)
    {
        List<(long Seq, string Problem)> fresh;
        lock (_reported)
        {
            fresh = rows.Where(r => _reported.Add((recordClass, r.Seq))).ToList();
        }
        if (fresh.Count == 0)
        {
            return;
        }
        var request = new UndecodableRequest(recordClass, fresh);
        try
        {
            await requests.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            await request.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ChannelClosedException or StoreWriteException or SqliteException)
        {
            // Not on record yet: the next read that meets these rows tries again. The reader skips them meanwhile.
            Log.MaintenanceFailed(store.Logger, ex);
            lock (_reported)
            {
                fresh.ForEach(r => _reported.Remove((recordClass, r.Seq)));
            }
        }
    }

    /// <summary>Deletes the rows in the writer's transaction; returns what completes the request once it is committed.</summary>
    public Action Drop(SqliteTransaction tx, UndecodableRequest request)
    {
        var (table, className) = request.RecordClass switch
        {
            RecordClass.Telemetry => ("reading", "telemetry"),
            RecordClass.Snapshot => ("snapshot", "snapshot"),
            _ => ("event", "event"),
        };
        using var delete = store.Connection.CreateCommand();
        delete.Transaction = tx;
        delete.CommandText = $"DELETE FROM {table} WHERE seq = $seq";
        var seqParameter = delete.Parameters.Add("$seq", SqliteType.Integer);
        var runs = new List<(long From, long To, long Count, string Problem)>();
        foreach (var (seq, problem) in request.Rows.OrderBy(r => r.Seq))
        {
            seqParameter.Value = seq;
            if (delete.ExecuteNonQuery() == 0)
            {
                continue; // already gone (acknowledged or dropped for the budget, which reported it)
            }
            if (runs.Count > 0 && runs[^1].To == seq - 1)
            {
                runs[^1] = (runs[^1].From, seq, runs[^1].Count + 1, runs[^1].Problem);
            }
            else
            {
                runs.Add((seq, seq, 1, problem));
            }
        }
        foreach (var run in runs)
        {
            inserter.InsertEvent(tx, GatewayEvent.Now(store.Time, "buffer.dropped", "store", EventData(run.From, run.To, run.Count, className, run.Problem)));
        }
        store.SaveLastSeq(tx);
        return () =>
        {
            foreach (var run in runs)
            {
                Log.Undecodable(store.Logger, store.Settings.Path, run.Count, className, run.Problem, run.From, run.To);
                store.CountDropped(className, run.Count);
            }
            request.Completion.TrySetResult();
        };
    }

    private static string EventData(long from, long to, long count, string recordClass, string problem)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, RecordJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("fromSeq", from);
            json.WriteNumber("toSeq", to);
            json.WriteNumber("count", count);
            json.WriteString("class", recordClass);
            json.WriteString("reason", "undecodable");
            json.WriteString("problem", problem);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
