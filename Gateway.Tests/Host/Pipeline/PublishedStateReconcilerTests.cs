using Gateway.Drivers.Abstractions;
using Gateway.Host.Pipeline;
using Gateway.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Host.Pipeline;

/// <summary>
/// <see cref="PublishedStateReconciler"/>: after a restart the platform's last word on a device or camera
/// comes from the store; one offline/online (lost/restored) pair per outage, whatever the new drivers
/// (which start knowing nothing) raise.
/// </summary>
public sealed class PublishedStateReconcilerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);

    private sealed class Rig
    {
        public WatchedFakeTime Time { get; } = new(Start);
        public List<object> Stored { get; } = [];
        public List<GatewayEvent> Unstored { get; } = [];
        public CapturingLogger<PublishedStateReconciler> Logger { get; } = new();
        public int StoreReads { get; private set; }
        public PublishedStateReconciler Reconciler { get; }

        public Rig(Func<IReadOnlyDictionary<string, string>> lastTold)
        {
            Reconciler = new PublishedStateReconciler(new Recording(Stored), () =>
            {
                StoreReads++;
                return lastTold();
            }, Unstored.Add, Time, Logger);
        }

        public Rig(params (string Source, string Type)[] lastTold)
            : this(() => lastTold.ToDictionary(p => p.Source, p => p.Type, StringComparer.Ordinal))
        {
        }

        public IEnumerable<string> Events => Stored.OfType<GatewayEvent>().Select(e => $"{e.Type} {e.Source}");

        public ValueTask Good(string device) => Reconciler.PublishAsync(Reading.Measure(Time, device, "energy", ReadingValue.FromDouble(12.5), "kWh"), CancellationToken.None);

        public ValueTask Bad(string device) =>
            Reconciler.PublishAsync(Reading.Measure(Time, device, "energy", ReadingValue.None, "kWh", ReadingQuality.Bad, "timeout"), CancellationToken.None);

        public ValueTask Raise(string type, string source, string reason = "timeout") =>
            Reconciler.PublishAsync(GatewayEvent.Create(type, source, new Dictionary<string, object?> { [type.StartsWith("camera", StringComparison.Ordinal) ? "camera" : "device"] = source, ["reason"] = reason }, Time.GetUtcNow(), Time.GetTimestamp()), CancellationToken.None);
    }

    private sealed class Recording(List<object> stored) : IDriverOutput
    {
        public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
        {
            stored.Add(reading);
            return ValueTask.CompletedTask;
        }

        public ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
        {
            stored.Add(driverEvent);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_device_reported_offline_before_the_restart_is_reported_online_once_before_its_first_good_reading()
    {
        var rig = new Rig(("meter-1", "device.offline"), ("meter-2", "device.online"));
        rig.Time.Advance(TimeSpan.FromSeconds(7));

        await rig.Good("meter-2");
        await rig.Good("meter-1");
        await rig.Good("meter-1");

        var online = Assert.Single(rig.Stored.OfType<GatewayEvent>());
        Assert.Equal(("device.online", "meter-1"), (online.Type, online.Source));
        Assert.Equal(new Dictionary<string, object?> { ["device"] = "meter-1", ["reason"] = "answering again after a restart" }, online.Data);
        Assert.Equal(Start.AddSeconds(7), online.OccurredAt);
        // Before the reading that proved it: the platform never sees a good value from a device it believes offline.
        Assert.Equal(["meter-2", "device.online", "meter-1", "meter-1"], rig.Stored.Select(r => r is GatewayEvent e ? e.Type : ((Reading)r).Device));
        Assert.Contains(rig.Logger.Entries, e => e.Message.Contains("device.online for meter-1: it was reported down before the restart", StringComparison.Ordinal));
        Assert.Equal(1, rig.StoreReads);
    }

    [Fact]
    public async Task A_device_that_fails_again_after_the_restart_stays_in_the_outage_the_platform_knows()
    {
        var rig = new Rig(("meter-1", "device.offline"));

        await rig.Bad("meter-1");
        await rig.Raise("device.offline", "meter-1", "connection refused");
        await rig.Bad("meter-1");

        Assert.Empty(rig.Events); // no second device.offline for the same outage
        Assert.Equal(2, rig.Stored.Count); // the bad readings are stored as ever
        var repeated = Assert.Single(rig.Unstored); // the local figures still hear the driver's present reason
        Assert.Equal("connection refused", repeated.Data["reason"]);

        // The driver's own recovery closes the outage: stored once, and no second online from its readings.
        await rig.Raise("device.online", "meter-1");
        await rig.Good("meter-1");
        Assert.Equal(["device.online meter-1"], rig.Events);

        // A new outage afterwards is a new pair.
        await rig.Raise("device.offline", "meter-1");
        await rig.Raise("device.online", "meter-1");
        Assert.Equal(["device.online meter-1", "device.offline meter-1", "device.online meter-1"], rig.Events);
    }

    [Fact]
    public async Task An_online_raised_by_the_driver_after_the_one_raised_here_is_not_stored_twice()
    {
        var rig = new Rig(("meter-1", "device.offline"));

        await rig.Good("meter-1"); // the reconciler's device.online
        await rig.Raise("device.online", "meter-1"); // a driver that also noticed the recovery

        Assert.Equal(["device.online meter-1"], rig.Events);
        Assert.Equal("device.online", Assert.Single(rig.Unstored).Type);
    }

    [Fact]
    public async Task Without_a_word_in_the_store_every_driver_event_passes_and_a_working_device_raises_nothing()
    {
        var rig = new Rig();

        await rig.Good("meter-1");
        await rig.Raise("device.offline", "meter-2");
        await rig.Raise("device.online", "meter-2");
        await rig.Good("meter-2");

        Assert.Equal(["device.offline meter-2", "device.online meter-2"], rig.Events);
        Assert.Empty(rig.Unstored);
    }

    [Fact]
    public async Task A_camera_lost_before_the_restart_is_restored_at_its_first_frame_once()
    {
        var rig = new Rig(("cam-a", "camera.lost"), ("cam-b", "camera.restored"));

        await rig.Reconciler.CameraAnsweredAsync("cam-b", CancellationToken.None);
        await rig.Reconciler.CameraAnsweredAsync("cam-a", CancellationToken.None);
        await rig.Reconciler.CameraAnsweredAsync("cam-a", CancellationToken.None);
        await rig.Raise("camera.restored", "cam-a", "receiving frames again");

        var restored = Assert.Single(rig.Stored.OfType<GatewayEvent>());
        Assert.Equal(("camera.restored", "cam-a"), (restored.Type, restored.Source));
        Assert.Equal(new Dictionary<string, object?> { ["camera"] = "cam-a", ["reason"] = "receiving frames again after a restart" }, restored.Data);
    }

    [Fact]
    public async Task A_camera_lost_again_before_its_first_frame_is_not_reported_lost_twice()
    {
        var rig = new Rig(("cam-a", "camera.lost"));

        await rig.Raise("camera.lost", "cam-a", "ffmpeg exited 1: Connection refused");
        await rig.Raise("camera.restored", "cam-a", "receiving frames again");
        await rig.Reconciler.CameraAnsweredAsync("cam-a", CancellationToken.None);

        Assert.Equal(["camera.restored cam-a"], rig.Events);
    }

    [Fact]
    public async Task A_store_that_cannot_be_read_is_logged_and_nothing_is_held_back()
    {
        var rig = new Rig(() => throw new SqliteException("database disk image is malformed", 11));

        await rig.Raise("device.offline", "meter-1");
        await rig.Good("meter-2");

        Assert.Equal(["device.offline meter-1"], rig.Events);
        Assert.Contains(rig.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("database disk image is malformed", StringComparison.Ordinal));
        Assert.Equal(1, rig.StoreReads);
    }
}
