using Gateway.Drivers.Pole;
using Gateway.Host.Pipeline;
using Gateway.Sync.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Host.Pipeline;

public class GnssClockSinkTests
{
    private static readonly DateTimeOffset Gps = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    private static (ClockSync Clock, GnssClockSink Sink, List<int> Raised) Create()
    {
        var clock = new ClockSync(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), requireTimeSync: true);
        var raised = new List<int>();
        clock.Synchronized += (_, _) => raised.Add(1);
        return (clock, new GnssClockSink(clock, NullLogger<GnssClockSink>.Instance), raised);
    }

    [Fact]
    public async Task A_fix_that_agrees_with_the_system_clock_makes_it_trusted_once()
    {
        var (clock, sink, raised) = Create();

        await sink.TimeFixAsync(new PoleTimeFix("gps-1", Gps, Gps + TimeSpan.FromMilliseconds(800), 0), CancellationToken.None);
        await sink.TimeFixAsync(new PoleTimeFix("gps-1", Gps + TimeSpan.FromSeconds(1), Gps + TimeSpan.FromSeconds(1), 0), CancellationToken.None);

        Assert.True(clock.IsSynchronized);
        Assert.True(clock.IsTrusted(Gps));
        Assert.Single(raised); // the store's fix-up of old timestamps runs once, not every second
    }

    [Fact]
    public async Task A_fix_that_disagrees_with_a_clock_at_1970_does_not_vouch_for_it_but_makes_time_known()
    {
        var (clock, sink, raised) = Create();
        var wall = DateTimeOffset.UnixEpoch + TimeSpan.FromMinutes(3);

        await sink.TimeFixAsync(new PoleTimeFix("gps-1", Gps, wall, MonotonicTimestamp: 180 * TimeProvider.System.TimestampFrequency), CancellationToken.None);
        await sink.TimeFixAsync(new PoleTimeFix("gps-1", Gps.AddSeconds(1), wall.AddSeconds(1), MonotonicTimestamp: 181 * TimeProvider.System.TimestampFrequency), CancellationToken.None);

        Assert.False(clock.IsSynchronized);
        Assert.False(clock.IsTrusted(wall));
        Assert.True(clock.IsTimeKnown);
        Assert.Single(raised); // the store dates what it holds once
        // A reading taken at uptime 170 s (wall clock 1970) is dated from the fix, 11 s before it.
        Assert.Equal(Gps.AddSeconds(-10), clock.TimeOf(wall, 170 * TimeProvider.System.TimestampFrequency));
    }

    [Fact]
    public async Task A_fix_before_the_floor_is_not_time()
    {
        var (clock, sink, raised) = Create();

        await sink.TimeFixAsync(new PoleTimeFix("gps-1", new DateTimeOffset(2006, 4, 2, 0, 0, 0, TimeSpan.Zero), DateTimeOffset.UnixEpoch, 0), CancellationToken.None);

        Assert.False(clock.IsTimeKnown);
        Assert.Null(clock.TimeOf(DateTimeOffset.UnixEpoch, 0));
        Assert.Empty(raised);
    }
}
