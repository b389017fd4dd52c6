using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Xunit.Abstractions;

namespace Gateway.Tests.Sync.Store;

/// <summary>
/// Issue 3 acceptance: a child process ingesting at full speed (tools/StoreProbe) is killed with
/// SIGKILL at random moments; after each kill the store is reopened and every record whose append
/// had returned must be there, and the seqs must be exactly 1..max (no hole, no reuse).
/// </summary>
public sealed class StoreCrashTests(ITestOutputHelper output)
{
    private const int Kills = 32;

    [Fact]
    public async Task Every_returned_append_survives_SIGKILL_and_seqs_have_no_holes_or_reuse()
    {
        using var dir = new TempDirectory();
        var path = dir.File("buffer.db");
        var probe = Path.Combine(AppContext.BaseDirectory, "StoreProbe.dll");
        Assert.True(File.Exists(probe), $"{probe} missing: Gateway.Tests references tools/StoreProbe");
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var random = new Random(20261121);
        var claims = new Dictionary<long, (char Kind, int Producer, long Value)>();
        var killedWithClaims = 0;

        for (var run = 0; run < Kills; run++)
        {
            // Every fourth kill lands anywhere from process start (open, recovery, first commit);
            // the others while ingest runs at full speed.
            var duringStartup = run % 4 == 0;
            var delay = TimeSpan.FromMilliseconds(duringStartup ? random.Next(0, 400) : random.Next(50, 600));
            var lines = await RunAndKillAsync(dotnet, probe, path, delay, afterOpen: !duringStartup);
            var before = claims.Count;
            foreach (var line in lines)
            {
                AddClaims(claims, line);
            }
            killedWithClaims += claims.Count > before ? 1 : 0;

            await using var store = StoreHarness.Open(StoreHarness.Settings(path, megabytes: 1024), TimeProvider.System);
            var readings = (await StoreHarness.AllReadingsAsync(store)).ToDictionary(r => r.Seq);
            var events = (await StoreHarness.AllEventsAsync(store)).ToDictionary(e => e.Seq);

            foreach (var (seq, claim) in claims)
            {
                if (claim.Kind == 'E')
                {
                    Assert.True(events.TryGetValue(seq, out var e), $"run {run}: event seq {seq} returned to the producer but is missing");
                    Assert.Equal("p" + claim.Producer, e.Source);
                    Assert.Equal(claim.Value, JsonDocument.Parse(e.DataJson).RootElement.GetProperty("c").GetInt64());
                }
                else
                {
                    Assert.True(readings.TryGetValue(seq, out var r), $"run {run}: reading seq {seq} returned to the producer but is missing");
                    Assert.Equal("p" + claim.Producer, r.Device);
                    Assert.Equal(claim.Value, r.Value.AsInt64());
                }
            }
            var all = readings.Keys.Concat(events.Keys).Order().ToList();
            Assert.Empty(readings.Keys.Intersect(events.Keys));
            Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all); // 1..max: no hole, no reuse
            Assert.Equal(all.Count == 0 ? 0 : all[^1], store.GetStatistics().LastSeq);
        }
        output.WriteLine($"{Kills} kills, {killedWithClaims} after ingest had started, {claims.Count} returned appends verified");
        Assert.True(killedWithClaims >= Kills / 2, $"only {killedWithClaims} of {Kills} runs got to ingest before the kill");
        Assert.True(claims.Count > 1000, $"only {claims.Count} records were acknowledged to producers over all runs");
    }

    private static void AddClaims(Dictionary<long, (char, int, long)> claims, string line)
    {
        var f = line.Split(' ');
        if (f.Length < 4 || f[0] is not ("R" or "B" or "E"))
        {
            return; // "open" or a line torn by the kill
        }
        var producer = int.Parse(f[1], CultureInfo.InvariantCulture);
        var counter = long.Parse(f[2], CultureInfo.InvariantCulture);
        var first = long.Parse(f[3], CultureInfo.InvariantCulture);
        if (f[0] == "B")
        {
            var last = long.Parse(f[4], CultureInfo.InvariantCulture);
            Assert.Equal(15, last - first);
            for (var s = first; s <= last; s++)
            {
                Assert.True(claims.TryAdd(s, ('R', producer, counter + (s - first))), $"seq {s} returned twice");
            }
        }
        else
        {
            Assert.True(claims.TryAdd(first, (f[0][0], producer, counter)), $"seq {first} returned twice");
        }
    }

    private static async Task<List<string>> RunAndKillAsync(string dotnet, string probe, string path, TimeSpan killAfter, bool afterOpen)
    {
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(probe);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stdout = ReadLinesAsync(process.StandardOutput, opened);
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (afterOpen)
            {
                await opened.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            await Task.Delay(killAfter);
        }
        finally
        {
            process.Kill(); // SIGKILL on Unix
            await process.WaitForExitAsync();
        }
        var lines = await stdout;
        var errors = await stderr;
        Assert.True(string.IsNullOrWhiteSpace(errors), "probe failed: " + errors);
        return lines;
    }

    private static async Task<List<string>> ReadLinesAsync(StreamReader reader, TaskCompletionSource opened)
    {
        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line == "open")
            {
                opened.TrySetResult();
            }
            lines.Add(line);
        }
        opened.TrySetResult(); // ended before opening: the stderr check reports why
        return lines;
    }
}
