using System.Globalization;

namespace Gateway.Bench.Store;

/// <summary>
/// The child processes of <see cref="StoreVsLiteDbCommand"/> (<c>store-vs-litedb --child …</c>):
/// <c>commits ENGINE DIR N BATCH</c> makes N commits of BATCH readings between two marker writes for
/// strace to cut at; <c>ingest ENGINE DIR</c> commits single readings until it is killed, printing
/// each reading's number once its commit returned.
/// </summary>
internal static class StoreVsLiteDbChild
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var engine = ComparedEngine.All.Single(e => e.Key == args[1]);
        var dir = args[2];
        switch (args[0])
        {
            case "commits":
                var commits = int.Parse(args[3], CultureInfo.InvariantCulture);
                var batch = int.Parse(args[4], CultureInfo.InvariantCulture);
                await using (var writer = await engine.OpenAsync(dir))
                {
                    await writer.AppendAsync(0); // warm-up: schema, first pages, our seq reservation
                    await Task.Delay(500, cancellationToken);
                    await File.WriteAllBytesAsync(Path.Combine(dir, SyscallTrace.BeginMarker), [1], cancellationToken);
                    for (var i = 1; i <= commits; i++)
                    {
                        if (batch == 1)
                        {
                            await writer.AppendAsync(i);
                        }
                        else
                        {
                            await writer.AppendBatchAsync(i * batch, batch);
                        }
                    }
                    // LiteDB writes its log from a background queue after Insert returns: let it drain before the end marker.
                    await Task.Delay(500, cancellationToken);
                    await File.WriteAllBytesAsync(Path.Combine(dir, SyscallTrace.EndMarker), [1], cancellationToken);
                }
                return 0;
            case "ingest":
                await using (var writer = await engine.OpenAsync(dir))
                {
                    var output = Console.Out;
                    output.WriteLine("open");
                    output.Flush();
                    // Stops by itself if nobody kills it.
                    using var lifetime = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                    for (long i = 0; !lifetime.IsCancellationRequested; i++)
                    {
                        await writer.AppendAsync(i);
                        output.WriteLine(i.ToString(CultureInfo.InvariantCulture));
                        output.Flush();
                    }
                }
                return 0;
            default:
                Console.Error.WriteLine("usage: store-vs-litedb --child commits ENGINE DIR N BATCH | ingest ENGINE DIR");
                return 2;
        }
    }
}
