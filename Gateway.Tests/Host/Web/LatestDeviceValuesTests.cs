using Gateway.Drivers.Abstractions;
using Gateway.Host.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Host.Web;

/// <summary>The tap on the drivers' output: everything still reaches the store's queue; the page sees the latest of each.</summary>
public sealed class LatestDeviceValuesTests
{
    [Fact]
    public async Task Readings_and_device_events_pass_to_the_queue_and_the_latest_of_each_is_kept()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        var queue = new IngestQueue(16);
        var latest = new LatestDeviceValues();
        using var drivers = new ServiceCollection().AddSingleton(queue).AddSingleton<TimeProvider>(time).AddDriverOutput().BuildServiceProvider();
        var output = new LatestValuesDriverOutput(drivers.GetRequiredService<IDriverOutput>(), latest);
        var health = new DeviceHealthTracker("pm-1", output, time, NullLogger.Instance);

        await output.PublishAsync(Reading.Measure(time, "pm-1", "pm2_5", 12.0, "µg/m³"), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(10));
        await output.PublishAsync(Reading.Measure(time, "pm-1", "pm2_5", 14.0, "µg/m³"), CancellationToken.None);
        await health.OfflineAsync("ENOENT /dev/ttyS2", CancellationToken.None);

        var kept = Assert.Single(latest.ReadingsOf("pm-1"));
        Assert.Equal(14.0, kept.Value.AsDouble());
        Assert.Equal(time.GetUtcNow(), kept.MeasuredAt);
        var state = latest.StateOf("pm-1")!;
        Assert.False(state.Online);
        Assert.Equal("ENOENT /dev/ttyS2", state.Reason);
        Assert.Equal(3, queue.Reader.Count); // nothing held back from the store
        var registry = drivers.GetRequiredService<DeviceHealthRegistry>().Find("pm-1")!; // nor from the device-health registry
        Assert.Equal(DeviceState.Offline, registry.State);
        Assert.Equal("ENOENT /dev/ttyS2", registry.Reason);

        await health.OnlineAsync(CancellationToken.None);
        Assert.True(latest.StateOf("pm-1")!.Online);
        Assert.Null(latest.StateOf("pm-1")!.Reason);
        Assert.Null(latest.StateOf("other"));
        Assert.Empty(latest.ReadingsOf("other"));
    }
}
