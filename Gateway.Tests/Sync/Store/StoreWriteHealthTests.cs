using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.Store;

/// <summary>Issue 11: a store that cannot write at run time is visible (state, since, failures, cause) and says so once per streak.</summary>
public sealed class StoreWriteHealthTests
{
    [Fact]
    public async Task Failing_commits_are_a_streak_with_its_cause_and_the_first_good_commit_ends_it()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var broken = false;
        var settings = StoreHarness.Settings(dir.File("b.db")) with { CommitFault = () => broken ? new IOException("Input/output error") : null };
        await using var store = StoreHarness.Open(settings, time);
        Assert.Equal(StoreWriteState.Ok, store.WriteStatus.State);
        var first = await store.AppendReadingAsync(StoreHarness.Reading(time, "m", 1));

        broken = true;
        var failedAt = time.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            var e = await Assert.ThrowsAsync<StoreWriteException>(async () => await store.AppendReadingAsync(StoreHarness.Reading(time, "m", 2)));
            Assert.False(e.IsDiskFull);
            time.Advance(TimeSpan.FromSeconds(10));
        }
        var failing = store.WriteStatus;
        Assert.Equal(StoreWriteState.Failing, failing.State);
        Assert.Equal(failedAt, failing.Since);
        Assert.Equal(3, failing.ConsecutiveFailures);
        Assert.Equal($"store {settings.Path} could not write: Input/output error", failing.LastError);
        Assert.Equal(failing, store.GetStatistics().Writes);

        broken = false;
        // Nothing of the failed appends was stored, and no seq was spent on them.
        Assert.Equal(first + 1, await store.AppendReadingAsync(StoreHarness.Reading(time, "m", 3)));
        Assert.Equal(new StoreWriteStatus(StoreWriteState.Ok, time.GetUtcNow(), 0, null), store.WriteStatus);
    }

    [Fact]
    public async Task A_full_disk_is_its_own_state_so_that_nobody_restarts_the_gateway_for_it()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(StoreHarness.Now);
        var settings = StoreHarness.Settings(dir.File("b.db")) with { MaxPageCount = 80 };
        await using var store = StoreHarness.Open(settings, time);

        var failures = 0;
        for (var i = 0; i < 200 && failures < 2; i++)
        {
            try
            {
                await store.AppendReadingsAsync(Enumerable.Range(0, 200).Select(v => StoreHarness.Reading(time, "m", v + 0.5)).ToArray());
            }
            catch (StoreWriteException)
            {
                failures++;
            }
        }

        Assert.Equal(StoreWriteState.Full, store.WriteStatus.State);
        Assert.Equal(2, store.WriteStatus.ConsecutiveFailures);
        Assert.Contains("is full", store.WriteStatus.LastError, StringComparison.Ordinal);
    }
}
