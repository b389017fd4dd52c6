using Gateway.Drivers.Gpio;
using Gateway.Tests.Support;

namespace Gateway.Tests.Drivers.Gpio;

public sealed class PulseCounterJournalTests
{
    [Fact]
    public void Totals_survive_reopening()
    {
        using var dir = new TempDirectory();
        var path = dir.File("meter.pulses");
        using (var journal = PulseCounterJournal.Open(path))
        {
            Assert.Equal(0, journal.Total);
            for (var i = 1; i <= 25; i++)
            {
                journal.Append(i);
            }
        }
        using var reopened = PulseCounterJournal.Open(path);
        Assert.Equal(25, reopened.Total);
        Assert.Equal(0, reopened.DiscardedBytes);
        Assert.Equal(25 * PulseCounterJournal.RecordSize, new FileInfo(path).Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(15)]
    public void Torn_last_record_is_cut_off_and_the_previous_total_kept(int tornBytes)
    {
        using var dir = new TempDirectory();
        var path = dir.File("meter.pulses");
        using (var journal = PulseCounterJournal.Open(path))
        {
            journal.Append(1);
            journal.Append(2);
        }
        // A power cut in the middle of writing the record for total 3.
        var record = new byte[PulseCounterJournal.RecordSize];
        PulseCounterJournal.Encode(3, record);
        using (var file = new FileStream(path, FileMode.Append))
        {
            file.Write(record, 0, tornBytes);
        }

        using (var reopened = PulseCounterJournal.Open(path))
        {
            Assert.Equal(2, reopened.Total);
            Assert.Equal(tornBytes, reopened.DiscardedBytes);
            reopened.Append(3);
        }
        using var again = PulseCounterJournal.Open(path);
        Assert.Equal(3, again.Total);
        Assert.Equal(0, again.DiscardedBytes);
    }

    [Fact]
    public void Corrupt_record_ends_the_valid_prefix()
    {
        using var dir = new TempDirectory();
        var path = dir.File("meter.pulses");
        using (var journal = PulseCounterJournal.Open(path))
        {
            journal.Append(10);
            journal.Append(11);
            journal.Append(12);
        }
        var bytes = File.ReadAllBytes(path);
        bytes[(2 * PulseCounterJournal.RecordSize) + 5] ^= 0x40; // flip a bit in the last total
        File.WriteAllBytes(path, bytes);

        using var reopened = PulseCounterJournal.Open(path);
        Assert.Equal(11, reopened.Total);
        Assert.Equal(PulseCounterJournal.RecordSize, reopened.DiscardedBytes);
    }

    [Fact]
    public void Compaction_keeps_the_file_small_and_the_total_exact()
    {
        using var dir = new TempDirectory();
        var path = dir.File("meter.pulses");
        using (var journal = PulseCounterJournal.Open(path, compactAfter: 8))
        {
            for (var i = 1; i <= 30; i++)
            {
                journal.Append(i);
            }
        }
        Assert.True(new FileInfo(path).Length <= 8 * PulseCounterJournal.RecordSize);
        Assert.False(File.Exists(path + ".tmp"));
        using var reopened = PulseCounterJournal.Open(path, compactAfter: 8);
        Assert.Equal(30, reopened.Total);
    }

    [Fact]
    public void Leftover_temporary_file_of_an_interrupted_compaction_is_ignored()
    {
        using var dir = new TempDirectory();
        var path = dir.File("meter.pulses");
        using (var journal = PulseCounterJournal.Open(path))
        {
            journal.Append(5);
        }
        File.WriteAllBytes(path + ".tmp", [1, 2, 3]);
        using var reopened = PulseCounterJournal.Open(path);
        Assert.Equal(5, reopened.Total);
        Assert.False(File.Exists(path + ".tmp"));
    }
}
