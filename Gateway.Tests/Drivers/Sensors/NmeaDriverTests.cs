using System.Text;
using Gateway.Drivers;
using Gateway.Drivers.Sensors;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Gateway.Simulation.Sensors;

namespace Gateway.Tests.Drivers.Sensors;

public sealed class NmeaDriverTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(1970, 1, 1, 0, 3, 0, TimeSpan.Zero)); // a pole without RTC, just booted
    private readonly CollectingDriverOutput _sink = new();

    private async Task FeedAsync(bool timeSource, params string[] bodies)
    {
        var device = new DeviceOptions { Id = "gps-1", Type = "nmea", Port = "sim:gps", PollMs = 0, TimeSource = timeSource };
        var driver = new NmeaDriver(device, new TermiosSerialPortOpener([new SimulatedSerialPorts()]), _sink, _sink, _time, NullLogger.Instance);
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(string.Concat(bodies.Select(NmeaWriter.Sentence))));
        await Assert.ThrowsAsync<IOException>(() => driver.RunOnStreamAsync(stream, CancellationToken.None)); // end of stream
    }

    [Fact]
    public async Task Valid_rmc_is_a_time_fix_with_the_local_clock_beside_it()
    {
        await FeedAsync(true, "GNRMC,081500.50,A,3054.5000,N,12128.2000,E,0.0,0.0,211126,,,A");
        var fix = Assert.Single(_sink.TimeFixes);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 8, 15, 0, 500, TimeSpan.Zero), fix.Utc);
        Assert.Equal(new DateTimeOffset(1970, 1, 1, 0, 3, 0, TimeSpan.Zero), fix.LocalClockAtReceipt);
    }

    [Fact]
    public async Task Time_is_not_used_unless_the_device_is_a_time_source()
    {
        await FeedAsync(false, "GNRMC,081500.50,A,3054.5000,N,12128.2000,E,0.0,0.0,211126,,,A");
        Assert.Empty(_sink.TimeFixes);
    }

    [Fact]
    public async Task Week_rollover_dates_and_void_fixes_are_never_a_time_fix()
    {
        await FeedAsync(true,
            "GPRMC,081500,A,3054.5000,N,12128.2000,E,0.0,0.0,070307,,,A", // 2026-11-21 minus 1024 weeks
            "GPRMC,081501,V,,,,,,,211126,,,N");
        Assert.Empty(_sink.TimeFixes);
    }

    [Fact]
    public async Task Position_needs_a_fix_and_reports_south_and_west_negative()
    {
        await FeedAsync(false,
            "GPGGA,081500,3352.1280,S,15112.5680,W,0,00,99.9,,,,,,", // no fix yet
            "GPGGA,081501,3352.1280,S,15112.5680,W,1,06,1.1,12.0,M,20.1,M,,");
        Assert.Equal([-33.8688], _sink.Of("latitude").Select(r => Math.Round(r.Value.ExpectDouble(), 6)));
        Assert.Equal([-151.209467], _sink.Of("longitude").Select(r => Math.Round(r.Value.ExpectDouble(), 6)));
        Assert.Equal([6L], _sink.Of("satellites").Select(r => r.Value.ExpectInt64()));
    }
}
