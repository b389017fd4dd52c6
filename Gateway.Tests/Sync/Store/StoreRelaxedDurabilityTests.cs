using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

/// <summary>
/// Relaxed durability may lose the last commits in a power cut, and their seqs may already have
/// been delivered: after an unclean run on an earlier boot the store continues above the high-water
/// mark and names the possible gap, so no seq is ever reused.
/// </summary>
public sealed class StoreRelaxedDurabilityTests
{
    [Fact]
    public async Task After_an_unclean_run_on_an_earlier_boot_seqs_continue_above_the_high_water_mark()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var path = dir.File("b.db");
        var settings = StoreHarness.Settings(path, durability: StoreDurability.Relaxed) with { SeqReserveBlock = 100 };
        await using (var store = StoreHarness.Open(settings, time))
        {
            await store.AppendReadingsAsync([StoreHarness.Reading(time, "a", 1), StoreHarness.Reading(time, "a", 2), StoreHarness.Reading(time, "a", 3)]);
        }
        MarkUnclean(path);

        // Same boot: only the process died, the page cache kept every commit.
        await using (var store = StoreHarness.Open(settings, time))
        {
            Assert.Empty(await StoreHarness.AllEventsAsync(store));
            Assert.Equal(4, await store.AppendReadingAsync(StoreHarness.Reading(time, "a", 4)));
        }
        MarkUnclean(path);

        // Another boot after an unclean run: a power cut may have taken commits with it.
        await using (var store = StoreHarness.Open(settings with { BootId = () => "boot-b" }, time))
        {
            var gap = Assert.Single(await StoreHarness.AllEventsAsync(store));
            var data = SqliteRecordStoreTests.Data(gap);
            Assert.Equal("power-loss", data.GetProperty("reason").GetString());
            Assert.Equal(5, data.GetProperty("fromSeq").GetInt64());
            Assert.Equal(103, data.GetProperty("toSeq").GetInt64()); // reserved at the first commit (seqs 1..3): 3 + 100
            Assert.Equal(104, gap.Seq);
            Assert.Equal(105, await store.AppendReadingAsync(StoreHarness.Reading(time, "a", 5)));
        }

        // A clean shutdown before the reboot: nothing to report.
        await using (var store = StoreHarness.Open(settings with { BootId = () => "boot-c" }, time))
        {
            Assert.Single(await StoreHarness.AllEventsAsync(store));
            Assert.Equal(106, await store.AppendReadingAsync(StoreHarness.Reading(time, "a", 6)));
        }
    }

    private static void MarkUnclean(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE meta SET value = 0 WHERE key = 'clean'";
        Assert.Equal(1, command.ExecuteNonQuery());
    }
}
