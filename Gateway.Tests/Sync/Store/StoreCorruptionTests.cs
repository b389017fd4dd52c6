using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

/// <summary>Issue 3: a corrupt, truncated or foreign store is quarantined, a fresh one starts above the old seqs, an event says so.</summary>
public sealed class StoreCorruptionTests
{
    public static TheoryData<string> Damages => ["truncated", "garbage", "wrong-header", "torn-pages", "foreign-database"];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_store_is_moved_aside_and_a_fresh_one_continues_above_the_high_water_mark(string damage)
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var path = dir.File("buffer.db");
        var settings = StoreHarness.Settings(path) with { SeqReserveBlock = 1000 };
        await using (var store = StoreHarness.Open(settings, time))
        {
            await store.AppendReadingsAsync(Enumerable.Range(0, 3000).Select(i => StoreHarness.Reading(time, "a", i)).ToArray());
            store.Acknowledge(RecordClass.Telemetry, Enumerable.Range(1, 100).Select(i => (long)i));
            await store.FlushAcknowledgementsAsync();
        }
        var original = await File.ReadAllBytesAsync(path);
        Damage(path, damage, original);

        await using (var store = StoreHarness.Open(settings, time))
        {
            var quarantined = Directory.GetFiles(dir.Path, "buffer.db.corrupt-*").Where(f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal));
            var kept = Assert.Single(quarantined);
            Assert.Equal(await File.ReadAllBytesAsync(path + "-damaged-copy"), await File.ReadAllBytesAsync(kept)); // kept as it was, for forensics

            Assert.Empty(await StoreHarness.AllReadingsAsync(store));
            var reset = Assert.Single(await StoreHarness.AllEventsAsync(store));
            Assert.Equal("buffer.dropped", reset.Type);
            var data = SqliteRecordStoreTests.Data(reset);
            Assert.Equal("store-reset", data.GetProperty("reason").GetString());
            // The mark written when seq 3000 was reserved: reserved through 3000 + 1000; at that moment nothing was acknowledged yet.
            var toSeq = data.GetProperty("toSeq").GetInt64();
            Assert.InRange(toSeq, 3000, 4000);
            Assert.Equal(1, data.GetProperty("fromSeq").GetInt64());
            Assert.Equal(toSeq + 1, reset.Seq);
            Assert.Equal(toSeq + 2, await store.AppendReadingAsync(StoreHarness.Reading(time, "a", 1)));
        }
    }

    [Fact]
    public async Task A_missing_store_with_a_high_water_mark_continues_above_it_and_says_so()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var path = dir.File("buffer.db");
        var settings = StoreHarness.Settings(path) with { SeqReserveBlock = 10 };
        await using (var store = StoreHarness.Open(settings, time))
        {
            await store.AppendReadingsAsync(Enumerable.Range(0, 5).Select(i => StoreHarness.Reading(time, "a", i)).ToArray());
        }
        foreach (var f in Directory.GetFiles(dir.Path, "buffer.db*").Where(f => !f.EndsWith(".seq", StringComparison.Ordinal)))
        {
            File.Delete(f);
        }
        await using (var store = StoreHarness.Open(settings, time))
        {
            var reset = Assert.Single(await StoreHarness.AllEventsAsync(store));
            var data = SqliteRecordStoreTests.Data(reset);
            Assert.Equal((1L, 15L, 15L), (data.GetProperty("fromSeq").GetInt64(), data.GetProperty("toSeq").GetInt64(), data.GetProperty("count").GetInt64()));
            Assert.Equal("store file missing", data.GetProperty("problem").GetString());
            Assert.Equal(16, reset.Seq);
        }
    }

    [Fact]
    public async Task A_torn_high_water_mark_slot_falls_back_to_the_previous_one()
    {
        using var dir = new TempDirectory();
        var path = dir.File("m.seq");
        using (var mark = SeqHighWaterMark.Open(path))
        {
            Assert.Null(mark.Current);
            mark.Write(new SeqHighWaterMark.Mark(100, 1));
            mark.Write(new SeqHighWaterMark.Mark(200, 50));
        }
        using (var mark = SeqHighWaterMark.Open(path))
        {
            Assert.Equal(new SeqHighWaterMark.Mark(200, 50), mark.Current);
        }
        // Tear the newest slot (generation 2 lives in slot 0).
        await using (var file = new FileStream(path, FileMode.Open))
        {
            file.Position = 20;
            file.WriteByte(0x5A);
        }
        using (var mark = SeqHighWaterMark.Open(path))
        {
            Assert.Equal(new SeqHighWaterMark.Mark(100, 1), mark.Current);
            mark.Write(new SeqHighWaterMark.Mark(300, 60)); // generation 3 goes to slot 1, over the older one
        }
        using (var mark = SeqHighWaterMark.Open(path))
        {
            Assert.Equal(new SeqHighWaterMark.Mark(300, 60), mark.Current);
        }
    }

    private static void Damage(string path, string damage, byte[] original)
    {
        foreach (var suffix in (string[])["-wal", "-shm"])
        {
            File.Delete(path + suffix); // the store closed cleanly: everything is in the main file
        }
        switch (damage)
        {
            case "truncated":
                File.WriteAllBytes(path, original[..(original.Length / 3)]);
                break;
            case "garbage":
                var noise = new byte[original.Length];
                new Random(7).NextBytes(noise);
                File.WriteAllBytes(path, noise);
                break;
            case "wrong-header":
                var header = (byte[])original.Clone();
                "NOT A DATABASE!!"u8.CopyTo(header);
                File.WriteAllBytes(path, header);
                break;
            case "torn-pages":
                var torn = (byte[])original.Clone();
                new Random(9).NextBytes(torn.AsSpan(4096 * 2, 4096 * 4)); // b-tree pages overwritten mid-file
                File.WriteAllBytes(path, torn);
                break;
            case "foreign-database":
                File.Delete(path);
                using (var other = new SqliteConnection($"Data Source={path};Pooling=False"))
                {
                    other.Open();
                    using var command = other.CreateCommand();
                    command.CommandText = "CREATE TABLE something_else(x)";
                    command.ExecuteNonQuery();
                }
                break;
        }
        File.Copy(path, path + "-damaged-copy");
    }
}
