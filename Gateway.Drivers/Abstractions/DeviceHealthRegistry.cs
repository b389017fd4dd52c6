using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;

namespace Gateway.Drivers.Abstractions;

/// <summary>
/// Every device's health, read-only for the Host (health topic, <c>/metrics</c>, <c>status</c>). It keeps no
/// state machine of its own: it watches what the drivers publish through the one <see cref="IDriverOutput"/>
/// — <c>device.offline</c> / <c>device.online</c> as the drivers' <see cref="DeviceHealthTracker"/> and the
/// Modbus links raise them, and every reading's quality — so the figures say exactly what the platform was
/// told. A device that works from the start raises no event: its first good reading makes it online.
/// Poll durations come from <see cref="IDriverOutput.PollCompleted"/> and also feed the
/// <c>gateway.device.poll.duration</c> histogram of <see cref="Meter"/> (one meter per registry, so two
/// gateways in one process — tests — never mix their figures).
/// </summary>
public sealed class DeviceHealthRegistry : IDisposable
{
    public const string MeterName = "Gateway.Devices";
    public const string PollDurationInstrument = "gateway.device.poll.duration";

    private readonly ConcurrentDictionary<string, Cell> _devices = new(StringComparer.Ordinal);
    private readonly Histogram<double> _pollSeconds;

    public DeviceHealthRegistry()
    {
        Meter = new Meter(new MeterOptions(MeterName) { Scope = this });
        _pollSeconds = Meter.CreateHistogram<double>(PollDurationInstrument, "s", "Duration of one poll of a device (every planned read)");
    }

    /// <summary>This registry's meter; listen to it by instance, not by name.</summary>
    public Meter Meter { get; }

    /// <summary>The devices heard from so far (a reading or an event), ordered by id.</summary>
    public IReadOnlyList<DeviceFigures> Devices() =>
        [.. _devices.Values.Select(c => c.Figures()).OrderBy(f => f.Device, StringComparer.Ordinal)];

    /// <summary>The figures of <paramref name="deviceId"/>, or null if it was not heard from yet.</summary>
    public DeviceFigures? Find(string deviceId) => _devices.TryGetValue(deviceId, out var cell) ? cell.Figures() : null;

    internal void Observe(in Reading reading) =>
        CellOf(reading.Device).Reading(reading.Quality == ReadingQuality.Good, reading.MeasuredAt, reading.Timestamp);

    internal void Observe(GatewayEvent driverEvent)
    {
        switch (driverEvent.Type)
        {
            case DriverEventTypes.DeviceOffline:
                CellOf(driverEvent.Source).Offline(ReasonOf(driverEvent.DataJson));
                break;
            case DriverEventTypes.DeviceOnline:
                CellOf(driverEvent.Source).Online();
                break;
        }
    }

    /// <summary>
    /// A <c>device.offline</c>/<c>device.online</c> a driver raised that the Host did not store because the
    /// platform was already told so before a restart (Host/Pipeline/PublishedStateReconciler): the figures
    /// still follow the driver, so a device failing again shows offline with its present reason.
    /// </summary>
    public void ObserveUnstored(GatewayEvent driverEvent)
    {
        ArgumentNullException.ThrowIfNull(driverEvent);
        Observe(driverEvent);
    }

    internal void PollCompleted(string deviceId, TimeSpan latency, bool succeeded)
    {
        CellOf(deviceId).Poll(latency, succeeded);
        _pollSeconds.Record(latency.TotalSeconds, new KeyValuePair<string, object?>("device", deviceId));
    }

    public void Dispose() => Meter.Dispose();

    private Cell CellOf(string deviceId) => _devices.GetOrAdd(deviceId, static id => new Cell(id));

    private static string? ReasonOf(string dataJson)
    {
        try
        {
            using var data = JsonDocument.Parse(dataJson);
            return data.RootElement.ValueKind == JsonValueKind.Object && data.RootElement.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String
                ? reason.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null; // the event itself is stored as it came; only the reason is not shown here
        }
    }

    private sealed class Cell(string device)
    {
        private readonly Lock _gate = new();
        private DeviceState _state;
        private string? _reason;
        private DateTimeOffset? _lastGoodAt;
        private long _lastGoodTimestamp;
        private long _good;
        private long _bad;
        private long _polls;
        private long _failedPolls;
        private TimeSpan? _lastPoll;
        private long _offlineTransitions;

        public void Reading(bool good, DateTimeOffset measuredAt, long timestamp)
        {
            lock (_gate)
            {
                if (!good)
                {
                    _bad++;
                    return;
                }
                _good++;
                _lastGoodAt = measuredAt;
                _lastGoodTimestamp = timestamp;
                if (_state == DeviceState.Unknown)
                {
                    _state = DeviceState.Online; // working from the start: its driver raises no event
                }
            }
        }

        public void Offline(string? reason)
        {
            lock (_gate)
            {
                _state = DeviceState.Offline;
                _reason = reason;
                _offlineTransitions++;
            }
        }

        public void Online()
        {
            lock (_gate)
            {
                _state = DeviceState.Online;
                _reason = null;
            }
        }

        public void Poll(TimeSpan latency, bool succeeded)
        {
            lock (_gate)
            {
                _polls++;
                _lastPoll = latency;
                if (!succeeded)
                {
                    _failedPolls++;
                }
            }
        }

        public DeviceFigures Figures()
        {
            lock (_gate)
            {
                return new DeviceFigures(device, _state, _state == DeviceState.Offline ? _reason : null, _lastGoodAt, _lastGoodTimestamp, _good, _bad, _polls, _failedPolls, _lastPoll, _offlineTransitions);
            }
        }
    }
}
