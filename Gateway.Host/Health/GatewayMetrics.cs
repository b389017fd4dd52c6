using System.Diagnostics.Metrics;
using Gateway.Drivers.Abstractions;
using Gateway.Sync.Mqtt;
using Prometheus;

namespace Gateway.Host.Health;

/// <summary>
/// The node's Prometheus metrics (prometheus-net, chosen in docs/decisions.md), in a registry of its own
/// (no library defaults, nothing another gateway in the process registered). Gauges and counters are
/// set from one <see cref="NodeHealthSampler"/> sample just before each scrape, so a scrape shows the
/// same figures as the health topic; poll durations go into a histogram as they happen, from the
/// device registry's <c>gateway.device.poll.duration</c> instrument (listened to by instance).
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly string[] UplinkStates = [.. Enum.GetNames<MqttConnectionState>().Select(s => s.ToLowerInvariant())];

    private readonly NodeHealthSampler _sampler;
    private readonly MeterListener _listener = new();
    private readonly Gauge _uplink;
    private readonly Gauge _backlog;
    private readonly Gauge _oldestAge;
    private readonly Counter _dropped;
    private readonly Gauge _deviceUp;
    private readonly Gauge _lastGood;
    private readonly Counter _pollFailures;
    private readonly Counter _badReadings;
    private readonly Counter _offline;
    private readonly Histogram _pollSeconds;
    private readonly Gauge _cameraFps;
    private readonly Counter _cameraFrames;
    private readonly Gauge _cameraAnalysisFps;
    private readonly Gauge _cameraInference;
    private readonly Counter _cameraAnalysed;
    private readonly Counter _cpu;
    private readonly Gauge _rss;
    private readonly Gauge _diskFree;
    private readonly Gauge _uptime;

    public GatewayMetrics(NodeHealthSampler sampler, DeviceHealthRegistry devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        _sampler = sampler;
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        _uplink = f.CreateGauge("gateway_uplink_state", "1 for the MQTT uplink's current state (connecting, connected, failing, stopped), 0 for the others.", "state");
        _backlog = f.CreateGauge("gateway_backlog_records", "Records held in the store for the platform, by class.", "class");
        _oldestAge = f.CreateGauge("gateway_backlog_oldest_age_seconds", "Age of the oldest dated record held in the store (absent when none is).");
        _dropped = f.CreateCounter("gateway_store_dropped_records_total", "Records the store dropped to stay within its budget (or found undecodable), by class.", "class");
        _deviceUp = f.CreateGauge("gateway_device_up", "1 while the device is online, 0 while it is offline (as device.online / device.offline said).", "device");
        _lastGood = f.CreateGauge("gateway_device_last_good_timestamp_seconds", "Unix time of the device's last good reading (absent while that time is unknown).", "device");
        _pollFailures = f.CreateCounter("gateway_device_poll_failures_total", "Polls in which not every read gave data.", "device");
        _badReadings = f.CreateCounter("gateway_device_bad_readings_total", "Readings published with quality bad or uncertain.", "device");
        _offline = f.CreateCounter("gateway_device_offline_total", "device.offline events raised.", "device");
        _pollSeconds = f.CreateHistogram("gateway_device_poll_duration_seconds", "Duration of one poll of a device (every planned read; a silent device costs its timeout).", new HistogramConfiguration
        {
            LabelNames = ["device"],
            Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });
        _cameraFps = f.CreateGauge("gateway_camera_fps", "Frames per second the camera's reader delivers.", "camera");
        _cameraFrames = f.CreateCounter("gateway_camera_frames_total", "Frames the camera's reader delivered.", "camera");
        _cameraAnalysisFps = f.CreateGauge("gateway_camera_analysis_fps", "Frames per second the camera's analysis achieves (set against its configured fps).", "camera");
        _cameraInference = f.CreateGauge("gateway_camera_inference_seconds", "Mean detector time per analysed frame, all the camera's models together (absent before the first analysed frame).", "camera");
        _cameraAnalysed = f.CreateCounter("gateway_camera_analysed_frames_total", "Frames the camera's analysis observed.", "camera");
        _cpu = f.CreateCounter("gateway_process_cpu_seconds_total", "CPU time the gateway process used (user + system).");
        _rss = f.CreateGauge("gateway_process_resident_memory_bytes", "Resident memory of the gateway process (VmRSS).");
        _diskFree = f.CreateGauge("gateway_store_disk_free_bytes", "Free space for the gateway on the file system holding the store (statvfs f_bavail).");
        _uptime = f.CreateGauge("gateway_uptime_seconds", "Seconds since the gateway started.");
        Registry.AddBeforeCollectCallback(Update);

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == devices.Meter && instrument.Name == DeviceHealthRegistry.PollDurationInstrument)
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<double>(static (_, seconds, tags, state) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "device", Value: string device })
                {
                    ((GatewayMetrics)state!)._pollSeconds.WithLabels(device).Observe(seconds);
                    return;
                }
            }
        });
        _listener.Start();
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Writes every metric in the Prometheus text format.</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken) =>
        Registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    public void Dispose() => _listener.Dispose();

    private void Update()
    {
        var h = _sampler.Sample(advanceCpuBaseline: false);
        var state = h.Uplink.ToString().ToLowerInvariant();
        foreach (var s in UplinkStates)
        {
            _uplink.WithLabels(s).Set(s == state ? 1 : 0);
        }
        _backlog.WithLabels("readings").Set(h.Store.PendingReadings);
        _backlog.WithLabels("events").Set(h.Store.PendingEvents);
        _backlog.WithLabels("snapshots").Set(h.Store.PendingSnapshots);
        if (h.OldestAge is { } age)
        {
            _oldestAge.Set(age.TotalSeconds);
        }
        else
        {
            _oldestAge.Unpublish();
        }
        _dropped.WithLabels("readings").IncTo(h.Store.DroppedReadings);
        _dropped.WithLabels("events").IncTo(h.Store.DroppedEvents);
        _dropped.WithLabels("snapshots").IncTo(h.Store.DroppedSnapshots);
        foreach (var d in h.Devices)
        {
            var f = d.Figures;
            _deviceUp.WithLabels(f.Device).Set(f.State == DeviceState.Online ? 1 : 0);
            if (d.LastGoodTs is { } good)
            {
                _lastGood.WithLabels(f.Device).Set(good.ToUnixTimeMilliseconds() / 1000.0);
            }
            _pollFailures.WithLabels(f.Device).IncTo(f.FailedPolls);
            _badReadings.WithLabels(f.Device).IncTo(f.BadReadings);
            _offline.WithLabels(f.Device).IncTo(f.OfflineTransitions);
        }
        foreach (var c in h.Cameras)
        {
            _cameraFps.WithLabels(c.Camera).Set(c.FramesPerSecond);
            _cameraFrames.WithLabels(c.Camera).IncTo(c.Frames);
            _cameraAnalysisFps.WithLabels(c.Camera).Set(c.AnalysisFps);
            _cameraAnalysed.WithLabels(c.Camera).IncTo(c.Analysed);
            if (c.Analysed > 0)
            {
                _cameraInference.WithLabels(c.Camera).Set(c.InferenceMs / 1000.0);
            }
        }
        _cpu.IncTo(h.CpuTime.TotalSeconds);
        SetOrHide(_rss, h.ResidentBytes);
        SetOrHide(_diskFree, h.DiskFreeBytes);
        _uptime.Set(Math.Floor(h.Uptime.TotalSeconds));
    }

    private static void SetOrHide(Gauge gauge, long? value)
    {
        if (value is { } v)
        {
            gauge.Set(v);
        }
        else
        {
            gauge.Unpublish();
        }
    }
}
