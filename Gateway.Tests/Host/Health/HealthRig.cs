using Gateway.Drivers.Abstractions;
using Gateway.Host.Health;
using Gateway.Sync;
using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Store;
using Gateway.Tests.Sync.Uplink;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Host.Health;

/// <summary>
/// The real pieces the health figures come from, on fake time: drivers' output → the one ingest queue →
/// a SQLite store (nothing forwards, so everything stored stays in the backlog), the device registry
/// watching that output, the store's clock, and a process probe the test sets.
/// </summary>
internal sealed class HealthRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new("gw-health");

    public HealthRig(DateTimeOffset? start = null)
    {
        Time = new WatchedFakeTime(start ?? Start);
        Clock = new ClockSync(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), requireTimeSync: false, Time);
        var queue = new IngestQueue(10_000);
        var storage = new StorageOptions { Path = StorePath };
        Store = StoreHarness.Open(StoreHarness.Settings(storage.Path), Time, Clock, queue);
        Output = new ChannelDriverOutput(queue, Registry);
        Sampler = new NodeHealthSampler(Registry, Cameras, Store, Clock, Uplink, Process, Options.Create(storage), Time);
    }

    public WatchedFakeTime Time { get; }

    public string StorePath => _dir.File("buffer.db");

    public ClockSync Clock { get; }

    public SqliteRecordStore Store { get; }

    public DeviceHealthRegistry Registry { get; } = new();

    public IDriverOutput Output { get; }

    public FakeProcessProbe Process { get; } = new();

    public ScriptedUplink Uplink { get; } = new();

    public NodeHealthSampler Sampler { get; }

    /// <summary>The cameras the sampler shows (a test adds its readers' figures).</summary>
    public List<Gateway.Drivers.Cameras.ICameraFiguresSource> Cameras { get; } = [];

    public DeviceHealthTracker Tracker(string device) => new(device, Output, Time, NullLogger.Instance);

    public ValueTask GoodAsync(string device, double value) =>
        Output.PublishAsync(Reading.Measure(Time, device, "v", value, "m3"), default);

    /// <summary>Waits until the store holds <paramref name="records"/> readings and events.</summary>
    public Task StoredAsync(long records) =>
        Eventually.HoldsAsync(() => Store.GetStatistics() is var s && s.PendingReadings + s.PendingEvents == records, () => $"{records} records stored");

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Registry.Dispose();
        _dir.Dispose();
    }

    internal sealed class FakeProcessProbe : IProcessProbe
    {
        public TimeSpan CpuTime { get; set; }

        public long? ResidentBytes { get; set; } = 50L * 1024 * 1024;

        public long? Free { get; set; } = 1000L * 1024 * 1024;

        public string? AskedDirectory { get; private set; }

        public long? FreeBytes(string directory)
        {
            AskedDirectory = directory;
            return Free;
        }
    }
}
