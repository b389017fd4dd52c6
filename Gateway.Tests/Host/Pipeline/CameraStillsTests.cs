using System.Text.Json.Nodes;
using Gateway.Drivers;
using Gateway.Host.Pipeline;
using Gateway.Host.Web;
using Gateway.Inference;
using Gateway.Inference.Analytics;
using Gateway.Tests.Drivers;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace Gateway.Tests.Host.Pipeline;

/// <summary>
/// The page's camera stills as the Host composes them: a file camera (ffmpeg) through the real
/// person model and the real crowd analysis; the pipeline keeps the latest analysed frame and the
/// still is rendered from it on request. Real processes and the real clock, generous bounds.
/// </summary>
public sealed class CameraStillsTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly CollectingDriverOutput _sink = new();
    private readonly TempDirectory _dir = new("gw-camera-stills");
    private ServiceProvider? _provider;

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
    public async Task The_still_is_the_cameras_frame_with_the_person_blurred_and_describe_has_the_zone_count()
    {
        var clip = await PersonClipAsync(_dir.File("person.mp4"));
        var source = await FirstFrameAsync(clip);
        var camera = new CameraOptions
        {
            Id = "cam-photo",
            Source = clip,
            Fps = 2,
            Width = 640,
            Height = 480,
            StallSeconds = 5,
            Crowd = new CrowdOptions
            {
                Model = "person",
                ReportSeconds = 1,
                Zones = [new CrowdZoneOptions { Name = "all", Polygon = [[0, 0], [640, 0], [640, 480], [0, 480]], AlertPersons = 5, ClearPersons = 2 }],
            },
        };
        var stills = await StartAsync(camera);

        // Before the first analysed frame there is no still, and the camera is known.
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
        var free = FreePatch(boxes, 640, 480, 64);
        var keptBefore = HighFrequencyEnergy(Luma(source), 640, free);
        var keptAfter = HighFrequencyEnergy(Luma(still), 640, free);
        Assert.True(keptAfter > 0.5 * keptBefore, $"patch {string.Join(",", free)} away from the boxes: {keptAfter:F1} against {keptBefore:F1}");
    }

    private async Task<ICameraStillSource> StartAsync(CameraOptions camera)
    {
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(TimeProvider.System)
            .AddIngestCollector(_sink)
            .AddCameraOptions(o => (o.Models, o.Cameras) = ([new ModelOptions { Id = "person", Manifest = Repo.PathOf("models", "person", "manifest.json") }], [camera]))
            .AddOnNodeInference(o => o.Threads = 1)
            .AddCameraAnalytics(o => o.StateDirectory = _dir.Path);
        services.AddCameraPipeline(_dir.Path);
        _provider = services.BuildServiceProvider();
        _provider.GetService<IStartupValidator>()?.Validate();
        foreach (var service in _provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
        return _provider.GetRequiredService<ICameraStillSource>();
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

    /// <summary>The first size×size patch (on a 16-px grid) at least 8 px from every box.</summary>
    private static int[] FreePatch(List<double[]> boxes, int width, int height, int size)
    {
        for (var y = 8; y + size < height - 8; y += 16)
        {
            for (var x = 8; x + size < width - 8; x += 16)
            {
                if (boxes.All(b => x + size + 8 < b[0] || x - 8 > b[2] || y + size + 8 < b[1] || y - 8 > b[3]))
                {
                    return [x, y, x + size, y + size];
                }
            }
        }
        throw new InvalidOperationException("no patch of the frame is free of boxes");
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
