using System.Globalization;
using Gateway.Sync;
using Gateway.Sync.Store;
using Microsoft.Extensions.Logging.Abstractions;

// StoreProbe PATH [PRODUCERS]: appends readings (single and batched) and events from several
// producers as fast as the store takes them, and prints one line per append that returned:
//   R producer counter seq | B producer counter firstSeq lastSeq | E producer counter seq
// The crash test kills it with SIGKILL and checks every printed seq against the reopened store.
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: StoreProbe PATH [PRODUCERS]");
    return 2;
}
var producers = args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 6;
var settings = StoreSettings.From(new StorageOptions { Path = args[0], MaxMegabytes = 1024 });
var time = TimeProvider.System;
await using var store = SqliteRecordStore.Open(settings, time, new ClockSync(DateTimeOffset.UnixEpoch, requireTimeSync: false), NullLogger.Instance);
// A probe the test failed to kill stops by itself.
using var lifetime = new CancellationTokenSource(TimeSpan.FromSeconds(60));
var output = Console.Out;
var gate = new Lock();
output.WriteLine("open");
output.Flush();

void Report(string line)
{
    lock (gate)
    {
        output.WriteLine(line);
        output.Flush();
    }
}

async Task ProduceAsync(int producer)
{
    var device = "p" + producer.ToString(CultureInfo.InvariantCulture);
    for (long counter = 0; !lifetime.IsCancellationRequested; counter += 16)
    {
        switch (counter / 16 % 4)
        {
            case 0 or 1:
                var seq = await store.AppendReadingAsync(Reading.Measure(time, device, "x", counter, "n"));
                Report(string.Create(CultureInfo.InvariantCulture, $"R {producer} {counter} {seq}"));
                break;
            case 2:
                var batch = Enumerable.Range(0, 16).Select(i => Reading.Measure(time, device, "x", counter + i, "n")).ToArray();
                var range = await store.AppendReadingsAsync(batch);
                Report(string.Create(CultureInfo.InvariantCulture, $"B {producer} {counter} {range.First} {range.Last}"));
                break;
            default:
                var eventSeq = await store.AppendEventAsync(GatewayEvent.Now(time, "probe", device, string.Create(CultureInfo.InvariantCulture, $"{{\"c\":{counter}}}")));
                Report(string.Create(CultureInfo.InvariantCulture, $"E {producer} {counter} {eventSeq}"));
                break;
        }
    }
}

await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(() => ProduceAsync(p))));
return 0;
