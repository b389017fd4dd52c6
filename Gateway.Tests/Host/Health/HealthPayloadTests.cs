using System.Text.Json;
using Gateway.Drivers.Cameras;
using Gateway.Host.Health;
using Gateway.Sync.Uplink;
using Gateway.Tests.Drivers;
using Gateway.Tests.Drivers.Cameras;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Host.Health;

/// <summary>The health topic's payload after known traffic: SPEC section 3's fields exactly, each value from its one source.</summary>
public sealed class HealthPayloadTests : IAsyncDisposable
{
    private static readonly string[] SpecFields = ["v", "node", "ts", "uptimeS", "clock", "backlog", "droppedTotal", "devices", "cameras", "cpuPercent", "rssMB", "diskFreeMB"];

    private readonly HealthRig _rig = new();

    public ValueTask DisposeAsync() => _rig.DisposeAsync();

    private JsonElement Build() => Build(_rig);

    private static JsonElement Build(HealthRig rig)
    {
        var payload = new HealthPayload(rig.Sampler, new NodeIdentity("pole-0001", "1.2.3"));
        return JsonDocument.Parse(payload.Build()).RootElement.Clone();
    }

    [Fact]
    public async Task Backlog_devices_clock_and_process_figures_are_those_of_the_traffic()
    {
        // t0: five good readings of the water meter; 90 s later it goes offline (one stored event) and the door reads.
        for (var i = 0; i < 5; i++)
        {
            await _rig.GoodAsync("water-1", i);
        }
        var first = Build(); // sets the CPU baseline: no percentage yet
        _rig.Time.Advance(TimeSpan.FromSeconds(90));
        await _rig.Tracker("water-1").OfflineAsync("connection refused", default);
        await _rig.GoodAsync("door-1", 1);
        await _rig.StoredAsync(7);
        _rig.Time.Advance(TimeSpan.FromSeconds(60));
        _rig.Process.CpuTime = TimeSpan.FromSeconds(6);

        var health = Build();

        Assert.Equal(SpecFields, health.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, first.GetProperty("cpuPercent").ValueKind);
        Assert.Equal(1, health.GetProperty("v").GetInt32());
        Assert.Equal("pole-0001", health.GetProperty("node").GetString());
        Assert.Equal("2026-11-29T12:02:30.000Z", health.GetProperty("ts").GetString());
        Assert.Equal(150, health.GetProperty("uptimeS").GetInt64());
        Assert.Equal("unsynced", health.GetProperty("clock").GetString()); // no time source reported yet
        var backlog = health.GetProperty("backlog");
        Assert.Equal(["records", "oldestAgeS"], backlog.EnumerateObject().Select(p => p.Name));
        Assert.Equal(7, backlog.GetProperty("records").GetInt64()); // 6 readings + the offline event, none sent
        Assert.Equal(150, backlog.GetProperty("oldestAgeS").GetInt64());
        Assert.Equal(0, health.GetProperty("droppedTotal").GetInt64());

        var devices = health.GetProperty("devices");
        Assert.Equal(["door-1", "water-1"], devices.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["state", "lastGoodTs"], devices.GetProperty("water-1").EnumerateObject().Select(p => p.Name));
        Assert.Equal("offline", devices.GetProperty("water-1").GetProperty("state").GetString());
        Assert.Equal("2026-11-29T12:00:00.000Z", devices.GetProperty("water-1").GetProperty("lastGoodTs").GetString());
        Assert.Equal("online", devices.GetProperty("door-1").GetProperty("state").GetString());
        Assert.Equal("2026-11-29T12:01:30.000Z", devices.GetProperty("door-1").GetProperty("lastGoodTs").GetString());
        Assert.Equal(JsonValueKind.Object, health.GetProperty("cameras").ValueKind);
        Assert.Empty(health.GetProperty("cameras").EnumerateObject());

        Assert.Equal(4.0, health.GetProperty("cpuPercent").GetDouble()); // 6 s of CPU in the 150 s since the previous payload
        Assert.Equal(50.0, health.GetProperty("rssMB").GetDouble());
        Assert.Equal(1000.0, health.GetProperty("diskFreeMB").GetDouble());
        Assert.Equal(Path.GetDirectoryName(_rig.StorePath), _rig.Process.AskedDirectory); // statvfs of the store's own file system

        _rig.Clock.ReportSynchronized("test");
        Assert.Equal("synced", Build().GetProperty("clock").GetString());
    }

    [Fact]
    public async Task Without_a_valid_clock_no_timestamp_is_1970_and_unknown_figures_are_null()
    {
        await using var rig = new HealthRig(DateTimeOffset.UnixEpoch.AddHours(1)); // a pole without RTC after boot
        await rig.GoodAsync("env-1", 21.5);
        await rig.StoredAsync(1);
        rig.Process.ResidentBytes = null;
        rig.Process.Free = null;

        var health = Build(rig);

        Assert.Equal(JsonValueKind.Null, health.GetProperty("ts").ValueKind);
        Assert.Equal(JsonValueKind.Null, health.GetProperty("devices").GetProperty("env-1").GetProperty("lastGoodTs").ValueKind);
        Assert.Equal("online", health.GetProperty("devices").GetProperty("env-1").GetProperty("state").GetString());
        Assert.Equal(1, health.GetProperty("backlog").GetProperty("records").GetInt64());
        Assert.Equal(JsonValueKind.Null, health.GetProperty("backlog").GetProperty("oldestAgeS").ValueKind); // the reading is undated
        Assert.Equal(JsonValueKind.Null, health.GetProperty("rssMB").ValueKind);
        Assert.Equal(JsonValueKind.Null, health.GetProperty("diskFreeMB").ValueKind);

        // A GPS fix gives the reference time: the earlier reading is dated on the monotonic clock.
        rig.Clock.ReportReferenceTime("gps", HealthRig.Start, rig.Time.GetTimestamp());
        var dated = Build(rig);
        Assert.Equal("2026-11-29T12:00:00.000Z", dated.GetProperty("ts").GetString());
        Assert.Equal("2026-11-29T12:00:00.000Z", dated.GetProperty("devices").GetProperty("env-1").GetProperty("lastGoodTs").GetString());
        Assert.Equal("synced", dated.GetProperty("clock").GetString());
    }

    [Fact]
    public async Task The_status_reply_health_member_adds_each_device_reason_and_polls()
    {
        _rig.Output.PollCompleted("water-1", TimeSpan.FromMilliseconds(250), succeeded: false);
        await _rig.Tracker("water-1").OfflineAsync("connection refused", default);
        await _rig.StoredAsync(1);

        var section = new HealthStatusSection(_rig.Sampler);
        var json = JsonDocument.Parse(section.Read()!.ToJsonString()).RootElement;

        Assert.Equal("health", section.Name);
        Assert.False(json.TryGetProperty("node", out _)); // the reply has node, version and ts already
        Assert.Equal(1, json.GetProperty("backlog").GetProperty("records").GetInt64());
        var water = json.GetProperty("devices").GetProperty("water-1");
        Assert.Equal("offline", water.GetProperty("state").GetString());
        Assert.Equal("connection refused", water.GetProperty("reason").GetString());
        Assert.Equal((1, 1, 250.0, 1), (water.GetProperty("polls").GetInt64(), water.GetProperty("failedPolls").GetInt64(), water.GetProperty("lastPollMs").GetDouble(), water.GetProperty("offlineCount").GetInt64()));
    }

    [Fact]
    public async Task A_camera_shows_its_reader_fps_and_no_inference_time_before_a_frame_is_analysed()
    {
        var launcher = new PipeFrameLauncher();
        using var reader = new CameraReader(new CameraSourceOptions { Id = "cam-north", Source = "rtsp://127.0.0.1:8554/north", Width = 4, Height = 2 },
            launcher, new CollectingDriverOutput(), _rig.Time, NullLogger.Instance);
        _rig.Cameras.Add(new ReaderFigures(reader));
        using var stop = new CancellationTokenSource();
        var running = reader.RunAsync(stop.Token);
        var process = await launcher.NextAsync();
        for (var i = 1; i <= 4; i++)
        {
            await process.WriteAsync(new byte[4 * 2 * 3]);
            await Eventually.HoldsAsync(() => reader.GetFigures().Frames == i, () => $"{i} frame(s)");
            _rig.Time.Advance(TimeSpan.FromSeconds(0.25));
        }

        var camera = Build().GetProperty("cameras").GetProperty("cam-north");

        Assert.Equal(["fps", "inferenceMs"], camera.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4.0, camera.GetProperty("fps").GetDouble());
        Assert.Equal(JsonValueKind.Null, camera.GetProperty("inferenceMs").ValueKind);
        await stop.CancelAsync();
        process.Exit(0);
        await running;
    }
}

/// <summary>A bare reader's figures, as the camera pipeline reports its cameras'.</summary>
internal sealed class ReaderFigures(CameraReader reader) : ICameraFiguresSource
{
    public IReadOnlyList<CameraFigures> GetFigures() => [reader.GetFigures()];
}
