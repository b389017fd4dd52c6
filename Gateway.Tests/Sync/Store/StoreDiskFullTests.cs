using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

/// <summary>
/// A full disk, simulated through SQLite's own page limit (the <c>MaxPageCount</c> seam: the
/// same SQLITE_FULL a full file system gives): ingest fails loudly, keeps everything stored
/// before, consumes no seq, and works again once space is free.
/// </summary>
public sealed class StoreDiskFullTests
{
    [Fact]
    public async Task A_full_disk_fails_the_append_clearly_and_loses_nothing_stored()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var settings = StoreHarness.Settings(dir.File("b.db")) with { MaxPageCount = 80 };
        await using var store = StoreHarness.Open(settings, time);

        var stored = new List<SeqRange>();
        StoreWriteException? full = null;
        for (var i = 0; i < 200 && full is null; i++)
        {
            try
            {
                stored.Add(await store.AppendReadingsAsync(Enumerable.Range(0, 200).Select(v => StoreHarness.Reading(time, "m", i * 1000 + v + 0.5)).ToArray()));
            }
            catch (StoreWriteException ex)
            {
                full = ex;
            }
        }
        Assert.NotNull(full);
        Assert.True(full.IsDiskFull);
        Assert.Contains("full", full.Message, StringComparison.Ordinal);
        Assert.NotEmpty(stored);

        // Still full: refused again, the store keeps running.
        var again = await Assert.ThrowsAsync<StoreWriteException>(async () => await store.AppendReadingsAsync(Enumerable.Range(0, 400).Select(v => StoreHarness.Reading(time, "m", v + 0.5)).ToArray()));
        Assert.True(again.IsDiskFull);

        var readings = await StoreHarness.AllReadingsAsync(store);
        Assert.Equal(stored.SelectMany(r => Enumerable.Range(0, (int)r.Count).Select(k => r.First + k)), readings.Select(r => r.Seq));

        // Space comes back (the uplink drained): the next record follows without a hole.
        store.Acknowledge(RecordClass.Telemetry, readings.Take(readings.Count / 2).Select(r => r.Seq));
        await store.FlushAcknowledgementsAsync();
        Assert.Equal(stored[^1].Last + 1, await store.AppendReadingAsync(StoreHarness.Reading(time, "m", 1)));
    }
}
