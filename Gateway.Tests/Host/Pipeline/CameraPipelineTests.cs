using System.Text.Json.Nodes;
using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Cameras;
using Gateway.Drivers.Modbus;
using Gateway.Host.Cli;
using Gateway.Host.Configuration;
using Gateway.Host.Pipeline;
using Gateway.Host.Web;
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
using SkiaSharp;
using Xunit.Abstractions;

namespace Gateway.Tests.Host.Pipeline;

/// <summary>
/// The camera pipeline as the Host composes it (<c>AddCameraPipeline</c>: real ffmpeg readers, the
/// shared inference threads, the real person model, the drivers' output into the ingest queue), with
/// a recording analysis in place of crowd/litter. Real processes and the real clock: bounds are
/// generous, no assertion depends on how fast a loaded machine ran.
/// </summary>
public sealed class CameraPipelineTests(ITestOutputHelper output) : IAsyncDisposable
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
        var clip = await PersonClipAsync(_dir.File("person.mp4"));
        var camera = PhotoCamera(clip);

        await StartAsync([PersonModel], [camera], s => s.AddCameraAnalytics(o => o.StateDirectory = _dir.Path), analytics: false);

        await _sink.WaitUntilAsync(s => s.Of("zone/all/persons").Length >= 2, Patience, "two zone/all/persons readings");
        var reading = _sink.Of("zone/all/persons")[^1];
        Assert.Equal("cam-photo", reading.Device);
        Assert.Equal(ReadingQuality.Good, reading.Quality);
        Assert.Equal(1.0, reading.Value.AsDouble()); // the one person in the photograph; the dog and the horse are not persons
        Assert.DoesNotContain(_sink.Events, e => e.Type.StartsWith("crowd.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_still_is_the_cameras_frame_with_the_person_blurred_and_describe_has_the_zone_count()
    {
        var clip = await PersonClipAsync(_dir.File("person.mp4"));
        var source = await FirstFrameAsync(clip);
        var camera = PhotoCamera(clip);
        await StartAsync([PersonModel], [camera], s => s.AddCameraAnalytics(o => o.StateDirectory = _dir.Path), analytics: false);
        var stills = _provider!.GetRequiredService<ICameraStillSource>();

        // Only configured cameras are known; an unknown one has no still.
        Assert.True(stills.Knows("cam-photo"));
        Assert.False(stills.Knows("cam-other"));
        Assert.Null(await stills.StillAsync("cam-other", CancellationToken.None));

        JsonObject described = null!;
        await WaitAsync(() => (described = stills.Describe().Single())["zones"]![0]!["persons"] is not null, "a person count for zone 'all'");
        Assert.Equal("cam-photo", described["id"]!.GetValue<string>());
        Assert.Equal(640, described["width"]!.GetValue<int>());
        Assert.Equal(1, described["zones"]![0]!["persons"]!.GetValue<long>()); // the one person of the photograph, as the analysis reports it
        Assert.Equal("crowd", described["zones"]![0]!["kind"]!.GetValue<string>());
        Assert.Equal(640, described["zones"]![0]!["points"]![1]![0]!.GetValue<double>());
        Assert.Equal("streaming", described["state"]!.GetValue<string>());

        var jpeg = (await stills.StillAsync("cam-photo", CancellationToken.None))!.Value.ToArray();
        using var still = SKBitmap.Decode(jpeg) ?? throw new InvalidOperationException("the still is not a decodable image");
        Assert.Equal((640, 480), (still.Width, still.Height));

        var detections = stills.Describe().Single()["detections"]!.AsArray();
        var person = detections.Single(d => d!["label"]!.GetValue<string>() == "person")!["box"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var inside = Shrink(person, 4);
        var before = HighFrequencyEnergy(Luma(source), 640, inside);
        var after = HighFrequencyEnergy(Luma(still), 640, inside);
        Assert.True(after < 0.25 * before, $"person box {string.Join(",", person)}: high-frequency energy {after:F1} in the still against {before:F1} in the camera's frame (not blurred?)");

        // Away from every box, the picture keeps its detail (only JPEG's loss): the blur is the person's alone.
        var boxes = detections.Select(d => d!["box"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToList();
        var free = FreePatch(boxes, Luma(source), 640, 480, 64);
        var keptBefore = HighFrequencyEnergy(Luma(source), 640, free);
        var keptAfter = HighFrequencyEnergy(Luma(still), 640, free);
        output.WriteLine($"person box {string.Join(",", inside)}: energy {before:F1} → {after:F1}; free patch {string.Join(",", free)}: {keptBefore:F1} → {keptAfter:F1}; still {jpeg.Length} bytes");
        Assert.True(keptAfter > 0.5 * keptBefore, $"patch {string.Join(",", free)} away from the boxes: {keptAfter:F1} against {keptBefore:F1}");
    }

    /// <summary>The photograph's camera at 640×480 with one crowd zone, "all", over the whole frame, reported every second.</summary>
    private static CameraOptions PhotoCamera(string clip)
    {
        var camera = Camera("cam-photo", clip, new CrowdOptions
        {
            Model = "person",
            ReportSeconds = 1,
            Zones = [new CrowdZoneOptions { Name = "all", Polygon = [[0, 0], [640, 0], [640, 480], [0, 480]], AlertPersons = 5, ClearPersons = 2 }],
        });
        (camera.Width, camera.Height) = (640, 480);
        return camera;
    }

    /// <summary>A 4 s video of darknet's photograph (a person beside a dog and a horse) at 640×480.</summary>
    internal static async Task<string> PersonClipAsync(string path)
    {
        using var ffmpeg = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(ExternalTool.Require("ffmpeg"),
            ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-loop", "1", "-i", "/usr/share/darknet/data/person.jpg",
             "-t", "4", "-r", "5", "-vf", "scale=640:480", "-pix_fmt", "yuv420p", path]))!;
        await ffmpeg.WaitForExitAsync();
        Assert.Equal(0, ffmpeg.ExitCode);
        return path;
    }

    /// <summary>The clip's first frame as the camera reader gets it: RGB24 from ffmpeg.</summary>
    private static async Task<byte[]> FirstFrameAsync(string clip)
    {
        var start = new System.Diagnostics.ProcessStartInfo(ExternalTool.Require("ffmpeg"),
            ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", clip, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        { RedirectStandardOutput = true };
        using var ffmpeg = System.Diagnostics.Process.Start(start)!;
        using var frame = new MemoryStream();
        await ffmpeg.StandardOutput.BaseStream.CopyToAsync(frame);
        await ffmpeg.WaitForExitAsync();
        Assert.Equal(640 * 480 * 3, frame.Length);
        return frame.ToArray();
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = Environment.TickCount64 + (long)Patience.TotalMilliseconds;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, $"still waiting after {Patience.TotalSeconds} s for {what}");
            await Task.Delay(100);
        }
    }

    private static int[] Shrink(double[] box, int by) => [(int)Math.Ceiling(box[0]) + by, (int)Math.Ceiling(box[1]) + by, (int)Math.Floor(box[2]) - by, (int)Math.Floor(box[3]) - by];

    /// <summary>The size×size patch (on a 16-px grid) at least 8 px from every box with the most detail in the source: a control that a blur would show.</summary>
    private static int[] FreePatch(List<double[]> boxes, double[] luma, int width, int height, int size)
    {
        int[]? best = null;
        var bestEnergy = -1.0;
        for (var y = 8; y + size < height - 8; y += 16)
        {
            for (var x = 8; x + size < width - 8; x += 16)
            {
                if (boxes.All(b => x + size + 8 < b[0] || x - 8 > b[2] || y + size + 8 < b[1] || y - 8 > b[3])
                    && HighFrequencyEnergy(luma, width, [x, y, x + size, y + size]) is var energy && energy > bestEnergy)
                {
                    (best, bestEnergy) = ([x, y, x + size, y + size], energy);
                }
            }
        }
        return best ?? throw new InvalidOperationException("no patch of the frame is free of boxes");
    }

    private static double[] Luma(byte[] rgb24)
    {
        var luma = new double[rgb24.Length / 3];
        for (var i = 0; i < luma.Length; i++)
        {
            luma[i] = (0.299 * rgb24[i * 3]) + (0.587 * rgb24[(i * 3) + 1]) + (0.114 * rgb24[(i * 3) + 2]);
        }
        return luma;
    }

    private static double[] Luma(SKBitmap bitmap)
    {
        var luma = new double[bitmap.Width * bitmap.Height];
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var p = bitmap.GetPixel(x, y);
                luma[(y * bitmap.Width) + x] = (0.299 * p.Red) + (0.587 * p.Green) + (0.114 * p.Blue);
            }
        }
        return luma;
    }

    /// <summary>Mean squared 4-neighbour Laplacian over the region [x1, y1, x2, y2): detail that a blur removes.</summary>
    private static double HighFrequencyEnergy(double[] luma, int width, int[] region)
    {
        double sum = 0;
        var n = 0;
        for (var y = region[1] + 1; y < region[3] - 1; y++)
        {
            for (var x = region[0] + 1; x < region[2] - 1; x++)
            {
                var i = (y * width) + x;
                var laplacian = (4 * luma[i]) - luma[i - 1] - luma[i + 1] - luma[i - width] - luma[i + width];
                sum += laplacian * laplacian;
                n++;
            }
        }
        Assert.True(n > 100, $"region {string.Join(",", region)} is too small to measure");
        return sum / n;
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
