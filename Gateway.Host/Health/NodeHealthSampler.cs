using Gateway.Drivers.Cameras;
using Gateway.Drivers.Abstractions;
using Gateway.Sync;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Health;

/// <summary>
/// Gathers <see cref="NodeHealth"/> from the one place each figure is kept: devices and cameras from
/// <see cref="DeviceHealthRegistry"/>, backlog, drops and the clock from the store, the uplink state from
/// the connection, the process from <see cref="IProcessProbe"/>. Keeps nothing but the CPU baseline.
/// </summary>
public sealed class NodeHealthSampler
{
    private readonly DeviceHealthRegistry _devices;
    private readonly IOutbox _store;
    private readonly IClockSync _clock;
    private readonly IMqttUplink _uplink;
    private readonly IProcessProbe _process;
    private readonly IEnumerable<ICameraFiguresSource> _cameras;
    private readonly TimeProvider _time;
    private readonly string _storeDirectory;
    private readonly long _started;
    private readonly Lock _cpuGate = new();
    private (long At, TimeSpan Cpu)? _cpuBaseline;

    public NodeHealthSampler(DeviceHealthRegistry devices, IEnumerable<ICameraFiguresSource> cameras, IOutbox store, IClockSync clock, IMqttUplink uplink, IProcessProbe process, IOptions<StorageOptions> storage, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _devices = devices;
        _cameras = cameras;
        _store = store;
        _clock = clock;
        _uplink = uplink;
        _process = process;
        _time = time;
        _storeDirectory = Path.GetDirectoryName(Path.GetFullPath(storage.Value.Path)) ?? "/";
        _started = time.GetTimestamp();
    }

    /// <summary>
    /// The figures now. <paramref name="advanceCpuBaseline"/>: the CPU percentage is over the time since the
    /// previous sample that advanced it — the health topic's interval; scrapes read the CPU counter instead.
    /// </summary>
    public NodeHealth Sample(bool advanceCpuBaseline)
    {
        var wall = _time.GetUtcNow();
        var mono = _time.GetTimestamp();
        var ts = _clock.TimeOf(wall, mono);
        var stats = _store.GetStatistics();
        var devices = _devices.Devices()
            .Where(d => d.State != DeviceState.Unknown)
            .Select(d => new NodeHealth.Device(d, d.LastGoodAt is { } at ? _clock.TimeOf(at, d.LastGoodTimestamp) : null))
            .ToList();
        var cpu = _process.CpuTime;
        return new NodeHealth(
            ts,
            _time.GetElapsedTime(_started, mono),
            _clock.IsTimeKnown,
            stats.PendingReadings + stats.PendingEvents,
            ts is { } now && stats.OldestPendingAt is { } oldest ? Max(now - oldest, TimeSpan.Zero) : null,
            stats.DroppedReadings + stats.DroppedEvents,
            devices,
            [.. _cameras.SelectMany(c => c.GetFigures()).OrderBy(c => c.Camera, StringComparer.Ordinal)],
            CpuPercent(mono, cpu, advanceCpuBaseline),
            cpu,
            _process.ResidentBytes,
            _process.FreeBytes(_storeDirectory),
            _uplink.Status.State,
            stats);
    }

    private double? CpuPercent(long mono, TimeSpan cpu, bool advance)
    {
        lock (_cpuGate)
        {
            double? percent = null;
            if (_cpuBaseline is { } b)
            {
                var wall = _time.GetElapsedTime(b.At, mono);
                percent = wall > TimeSpan.Zero ? (cpu - b.Cpu) / wall * 100 : null;
            }
            if (advance || _cpuBaseline is null)
            {
                _cpuBaseline = (mono, cpu);
            }
            return percent;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
