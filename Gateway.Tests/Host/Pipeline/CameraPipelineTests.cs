using System.Text.Json.Nodes;
using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Cameras;
using Gateway.Drivers.Modbus;
using Gateway.Host.Cli;
using Gateway.Host.Configuration;
using Gateway.Host.Pipeline;
using Gateway.Inference;
using Gateway.Inference.Analytics;
using Gateway.Simulation.Modbus;
using Gateway.Simulation.Video;
using Gateway.Sync.RemoteCommands;
using Gateway.Sync.Store;
using Gateway.Tests.Drivers;
using Gateway.Tests.Inference.Scheduling;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Host.Pipeline;

/// <summary>
/// The camera pipeline as the Host composes it (<c>AddCameraPipeline</c>: real ffmpeg readers, the
/// shared inference threads, the real person model, the drivers' output into the ingest queue), with
/// a recording analysis in place of crowd/litter. Real processes and the real clock: bounds are
/// generous, no assertion depends on how fast a loaded machine ran.
/// </summary>
public sealed class CameraPipelineTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly CollectingDriverOutput _sink = new();
    private readonly RecordingAnalyticsFactory _analytics = new();
    private readonly TempDirectory _dir = new("gw-camera-pipeline");
    private ServiceProvider? _provider;

    private static ModelOptions PersonModel => new() { Id = "person", Manifest = Repo.PathOf("models", "person", "manifest.json") };

    private GatewayEvent[] Events(string camera, string type) => [.. _sink.Events.Where(e => e.Source == camera && e.Type == type)];

    private static CameraOptions Camera(string id, string source, CrowdOptions? crowd = null) => new()
    {
        Id = id,
        Source = source,
        Fps = 2,
        Width = 160,
        Height = 120,
        StallSeconds = 2,
        Crowd = crowd,
    };

    private async Task<ServiceProvider> StartAsync(IList<ModelOptions> models, IList<CameraOptions> cameras, Action<IServiceCollection>? more = null, bool analytics = true)
    {
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(TimeProvider.System)
            .AddIngestCollector(_sink)
            .AddCameraOptions(o => (o.Models, o.Cameras) = (models, cameras))
            .AddOnNodeInference(o => o.Threads = 1);
        if (analytics)
        {
            services.AddSingleton<ICameraAnalyticsFactory>(_analytics);
        }
        more?.Invoke(services);
        services.AddCameraPipeline(_dir.Path);
        _provider = services.BuildServiceProvider();
        _provider.GetService<IStartupValidator>()?.Validate();
        foreach (var service in _provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
        return _provider;
    }

    public async ValueTask DisposeAsync()
    {
        if (_provider is not null)
        {
            foreach (var service in _provider.GetServices<IHostedService>().Reverse())
            {
                await service.StopAsync(CancellationToken.None);
            }
            await _provider.DisposeAsync();
        }
        _dir.Dispose();
    }

    [Fact]
    public async Task An_RTSP_camera_whose_server_dies_is_lost_with_the_cause_and_restored_with_frames_flowing_again_without_a_restart()
    {
        var clip = _dir.File("street.mp4");
        await RtspLoopServer.MakeClipAsync(clip);
        using var server = await RtspLoopServer.StartAsync(clip);
        var crowd = new CrowdOptions { Model = "person" };
        // ffmpeg probes an RTSP stream for about 3.5 s before its first frame: the watchdog must allow that.
        var rtsp = Camera("cam-rtsp", server.Url, crowd);
        rtsp.StallSeconds = 8;
        var provider = await StartAsync([PersonModel], [rtsp]);
        var figures = provider.GetRequiredService<ICameraFiguresSource>();
        try
        {
            await _analytics.WaitAsync("cam-rtsp", 3, Patience);
            var camera = _analytics.Of("cam-rtsp");
            // The real model ran: every frame came with the person model's detections and its labels.
            Assert.All(camera.Observations, o => Assert.Equal("person", Assert.Single(o.Detections).ModelId));
            Assert.Contains("person", camera.Observations[0].Detections[0].Labels);
            Assert.Equal(CameraState.Streaming, figures.GetFigures()[0].State);

            server.Kill();
            await _sink.WaitUntilAsync(s => Events("cam-rtsp", DriverEventTypes.CameraLost).Length == 1, Patience, "camera.lost");
            var reason = (string)Events("cam-rtsp", DriverEventTypes.CameraLost)[0].Data["reason"]!;
            // The cause as ffmpeg or the watchdog saw it, never a bare "lost".
            Assert.True(reason.StartsWith("ffmpeg exited with code", StringComparison.Ordinal) || reason.StartsWith("end of stream", StringComparison.Ordinal)
                || reason.StartsWith("stalled: no frame for 8 s", StringComparison.Ordinal), reason);
            Assert.Equal(CameraState.Lost, figures.GetFigures()[0].State);
            var analysedBefore = camera.Observations.Count;

            await server.RestartAsync();
            await _sink.WaitUntilAsync(s => Events("cam-rtsp", DriverEventTypes.CameraRestored).Length == 1, Patience, "camera.restored");
            await _analytics.WaitAsync("cam-rtsp", analysedBefore + 3, Patience);

            var after = figures.GetFigures()[0];
            Assert.Equal(CameraState.Streaming, after.State);
            Assert.True(after.Starts >= 2, $"{after.Starts} ffmpeg start(s)");
            Assert.Equal(reason, after.LastError);
            Assert.Equal(2, after.AskedFps);
            Assert.True(after.InferenceMs > 0, "inference time measured");
            Assert.Single(Events("cam-rtsp", DriverEventTypes.CameraLost));
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            var seen = string.Join("\n", _sink.Events.Select(x => $"{x.Type} {x.DataJson}"));
            throw new InvalidOperationException($"{e.Message}\n--- figures ---\n{figures.GetFigures()[0]}\n--- events ---\n{seen}\n--- RTSP server ---\n{server.Output}", e);
        }
    }

    [Fact]
    public async Task A_camera_whose_source_never_opens_is_lost_with_its_reason_while_a_modbus_meter_and_another_camera_carry_on()
    {
        var clip = _dir.File("street.mp4");
        await RtspLoopServer.MakeClipAsync(clip);
        await using var meter = new SimulatedModbusServer(new SimulatedModbusOptions { Registers = new WaterMeterRegisters(TimeProvider.System) });
        var closed = $"rtsp://127.0.0.1:{Net.FreePort()}/nobody";
        var provider = await StartAsync([], [Camera("cam-dead", closed), Camera("cam-file", clip)], s => s.AddModbusDrivers(o => o.Devices =
        [
            new DeviceOptions
            {
                Id = "water-1", Type = "modbus", Endpoint = $"tcp://127.0.0.1:{meter.Port}", UnitId = 1, PollMs = 250,
                Points = [new PointOptions { Name = "register0", Table = "holding", Address = 0 }],
            },
        ]));

        await _sink.WaitUntilAsync(s => Events("cam-dead", DriverEventTypes.CameraLost).Length == 1, Patience, "camera.lost of cam-dead");
        var readingsAtLoss = _sink.Readings.Count(r => r.Device == "water-1");
        var lost = Events("cam-dead", DriverEventTypes.CameraLost)[0];
        Assert.Equal("cam-dead", lost.Data["camera"]);
        Assert.Contains("Connection refused", (string)lost.Data["reason"]!, StringComparison.Ordinal);

        // The rest of the node runs on: the meter is polled and the other camera analysed.
        await _sink.WaitUntilAsync(s => s.Readings.Count(r => r.Device == "water-1") >= readingsAtLoss + 8, Patience, "8 more meter readings");
        await _analytics.WaitAsync("cam-file", 4, Patience);
        Assert.DoesNotContain(_sink.Events, e => e.Source == "water-1" && e.Type == "device.offline");
        Assert.Empty(_analytics.Of("cam-dead").Observations);

        var status = provider.GetServices<IStatusSection>().Single(s => s.Name == "cameras").Read()!.AsObject();
        Assert.Equal("lost", (string?)status["cam-dead"]!["state"]);
        Assert.Contains("Connection refused", (string?)status["cam-dead"]!["lastError"], StringComparison.Ordinal);
        Assert.Equal("streaming", (string?)status["cam-file"]!["state"]);
        Assert.True((long)status["cam-file"]!["analysed"]! >= 4);
        Assert.Equal(2.0, (double)status["cam-file"]!["askedFps"]!);
    }

    [Fact]
    public async Task A_camera_whose_model_does_not_load_is_lost_naming_the_model_and_the_others_run()
    {
        var clip = _dir.File("street.mp4");
        await RtspLoopServer.MakeClipAsync(clip);
        var broken = new ModelOptions { Id = "litter", Manifest = "no-such-manifest.json" };
        _analytics.Models["cam-a"] = ["litter"];

        var provider = await StartAsync([broken], [Camera("cam-a", clip), Camera("cam-b", clip)]);

        await _sink.WaitUntilAsync(s => Events("cam-a", DriverEventTypes.CameraLost).Length == 1, Patience, "camera.lost of cam-a");
        Assert.Equal("model 'litter' not loaded: manifest 'no-such-manifest.json' not found", Events("cam-a", DriverEventTypes.CameraLost)[0].Data["reason"]);
        await _analytics.WaitAsync("cam-b", 2, Patience);
        var figures = provider.GetRequiredService<ICameraFiguresSource>().GetFigures();
        Assert.Equal(CameraState.Lost, figures[0].State);
        Assert.Equal("model 'litter' not loaded: manifest 'no-such-manifest.json' not found", figures[0].AnalysisError);
    }

    [Fact]
    public async Task Cameras_without_a_registered_analysis_stop_the_start_with_one_clear_message()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync([], [Camera("cam-a", "street.mp4")], analytics: false));

        Assert.Equal("cameras: 1 camera(s) configured, but this build has no camera analytics (no ICameraAnalyticsFactory registered); remove the cameras section or use a build with crowd/litter analytics",
            Assert.Single(e.Failures));
    }

    [Fact]
    public async Task A_camera_lost_before_the_restart_is_restored_once_at_its_first_frame()
    {
        var clip = _dir.File("grey.mp4");
        var ffmpeg = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ffmpeg",
            ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=gray:s=160x120:r=5:d=2", "-pix_fmt", "yuv420p", clip]))!;
        await ffmpeg.WaitForExitAsync();
        Assert.Equal(0, ffmpeg.ExitCode);
        // What the store says the platform was last told: cam-lost was lost, cam-fine never was.
        var lastTold = new LastTold(new Dictionary<string, string> { ["cam-lost"] = DriverEventTypes.CameraLost });

        await StartAsync([], [Camera("cam-lost", clip), Camera("cam-fine", clip)], s => s.AddSingleton<ILastStateEvents>(lastTold).AddPublishedStateReconciler());

        await _analytics.WaitAsync("cam-lost", 3, Patience);
        await _analytics.WaitAsync("cam-fine", 3, Patience);
        await _sink.WaitUntilAsync(s => Events("cam-lost", DriverEventTypes.CameraRestored).Length == 1, Patience, "camera.restored");
        var restored = Events("cam-lost", DriverEventTypes.CameraRestored)[0];
        Assert.Equal(new Dictionary<string, object?> { ["camera"] = "cam-lost", ["reason"] = "receiving frames again after a restart" }, restored.Data);
        Assert.Single(Events("cam-lost", DriverEventTypes.CameraRestored));
        Assert.DoesNotContain(_sink.Events, e => e.Source == "cam-fine");
        Assert.DoesNotContain(_sink.Events, e => e.Type == DriverEventTypes.CameraLost);
    }

    private sealed class LastTold(IReadOnlyDictionary<string, string> told) : ILastStateEvents
    {
        public IReadOnlyDictionary<string, string> ReadLastStateEvents() => told;
    }

    [Fact]
    public async Task A_file_camera_through_the_real_analysis_and_the_person_model_reports_the_persons_in_its_zone()
    {
        // A 4 s video of darknet's photograph (a person beside a dog and a horse), looped at real time.
        var clip = _dir.File("person.mp4");
        var ffmpeg = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ffmpeg",
            ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-loop", "1", "-i", "/usr/share/darknet/data/person.jpg",
             "-t", "4", "-r", "5", "-vf", "scale=640:480", "-pix_fmt", "yuv420p", clip]))!;
        await ffmpeg.WaitForExitAsync();
        Assert.Equal(0, ffmpeg.ExitCode);
        var camera = Camera("cam-photo", clip, new CrowdOptions
        {
            Model = "person",
            ReportSeconds = 1,
            Zones = [new CrowdZoneOptions { Name = "all", Polygon = [[0, 0], [640, 0], [640, 480], [0, 480]], AlertPersons = 5, ClearPersons = 2 }],
        });
        (camera.Width, camera.Height) = (640, 480);

        await StartAsync([PersonModel], [camera], s => s.AddCameraAnalytics(o => o.StateDirectory = _dir.Path), analytics: false);

        await _sink.WaitUntilAsync(s => s.Of("zone/all/persons").Length >= 2, Patience, "two zone/all/persons readings");
        var reading = _sink.Of("zone/all/persons")[^1];
        Assert.Equal("cam-photo", reading.Device);
        Assert.Equal(ReadingQuality.Good, reading.Quality);
        Assert.Equal(1.0, reading.Value.AsDouble()); // the one person in the photograph; the dog and the horse are not persons
        Assert.DoesNotContain(_sink.Events, e => e.Type.StartsWith("crowd.", StringComparison.Ordinal));
    }
}

/// <summary>Creates a <see cref="RecordingAnalytics"/> per camera (models from the camera's crowd/litter, or as the test sets) and keeps them.</summary>
internal sealed class RecordingAnalyticsFactory : ICameraAnalyticsFactory
{
    private readonly Dictionary<string, RecordingAnalytics> _created = [];

    public Dictionary<string, string[]> Models { get; } = [];

    public ICameraAnalytics Create(CameraOptions camera)
    {
        var models = Models.TryGetValue(camera.Id, out var set)
            ? set
            : new[] { camera.Crowd?.Model, camera.Litter?.Model }.OfType<string>().Distinct().ToArray();
        var analytics = new RecordingAnalytics(camera.Id, models);
        lock (_created)
        {
            _created[camera.Id] = analytics;
        }
        return analytics;
    }

    public RecordingAnalytics Of(string camera)
    {
        lock (_created)
        {
            return _created[camera];
        }
    }

    public async Task WaitAsync(string camera, int observations, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            lock (_created)
            {
                if (_created.TryGetValue(camera, out var a) && a.Observations.Count >= observations)
                {
                    return;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{camera}: fewer than {observations} frames observed within {limit.TotalSeconds} s");
            }
            await Task.Delay(50);
        }
    }
}
