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
    public async Task A_clock_at_1970_is_not_vouched_for_by_a_disagreeing_fix()
    {
        var (clock, sink, raised) = Create();

        await sink.TimeFixAsync(new PoleTimeFix("gps-1", Gps, DateTimeOffset.UnixEpoch + TimeSpan.FromMinutes(3), 0), CancellationToken.None);

        Assert.False(clock.IsSynchronized);
        Assert.False(clock.IsTrusted(DateTimeOffset.UnixEpoch + TimeSpan.FromMinutes(3)));
        Assert.Empty(raised);
    }
}
