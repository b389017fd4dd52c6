using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Cameras;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Drivers.Cameras;

/// <summary>The reader with the real ffmpeg: a video made here with ffmpeg's testsrc, and a file that does not exist.</summary>
public sealed class CameraReaderFfmpegTests : IDisposable
{
    private readonly TempDirectory _dir = new("gw-camera");
    private readonly CollectingDriverOutput _output = new();

    /// <summary>2 s of testsrc at 160×120, 10 frames/s: its colour bars sit at fixed places (blue, yellow, green at x 60–120 of 160).</summary>
    private string TestVideo()
    {
        var path = _dir.File("testsrc.mp4");
        var result = ExternalTool.Run(ExternalTool.Require("ffmpeg"),
            ["-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2", "-c:v", "mpeg4", "-q:v", "2", path],
            TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.StdErr);
        return path;
    }

    private static CameraSourceOptions Options(string source) => new()
    {
        Id = "cam-test",
        Source = source,
        FfmpegPath = ExternalTool.Require("ffmpeg"),
        Fps = 5,
        Width = 80,
        Height = 60,
        LoopFile = false,
        ReconnectMin = TimeSpan.FromMilliseconds(50),
        ReconnectMax = TimeSpan.FromMilliseconds(100),
    };

    private static void AssertRegion(VideoFrame frame, int x0, int x1, (byte R, byte G, byte B) expected, string what)
    {
        for (var y = 12; y < 29; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                var (r, g, b) = frame.Pixel(x, y);
                Assert.True(Math.Abs(r - expected.R) <= 16 && Math.Abs(g - expected.G) <= 16 && Math.Abs(b - expected.B) <= 16,
                    $"frame {frame.Sequence} pixel ({x},{y}) = ({r},{g},{b}), expected {what} {expected}");
            }
        }
    }

    [Fact]
    public async Task A_video_file_decodes_to_frames_of_the_analysis_size_and_rate_with_testsrcs_colour_bars()
    {
        var options = Options(TestVideo());
        using var reader = new CameraReader(options, new FfmpegProcessLauncher(), _output, TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var running = reader.RunAsync(stop.Token);
        try
        {
            using var timeout = new CancellationTokenSource(Eventually.Limit);
            using (var frame = await reader.Frames.TakeAsync(timeout.Token))
            {
                Assert.Equal((80, 60), (frame.Width, frame.Height));
                Assert.Equal(80 * 60 * 3, frame.Pixels.Length);
                // Scaled to half: the bars at x 60–80, 80–100, 100–120 of the source are at 30–40, 40–50, 50–60.
                AssertRegion(frame, 32, 38, (0, 0, 255), "blue");
                AssertRegion(frame, 42, 48, (255, 255, 0), "yellow");
                AssertRegion(frame, 52, 58, (0, 255, 0), "green");
            }

            // A file that must not loop ends: 2 s at 5 frames/s, then camera.lost says why.
            await _output.WaitUntilAsync(o => o.Events.Length > 0, Eventually.Limit, "the end of the file");
            var lost = Assert.Single(_output.Events);
            Assert.Equal(DriverEventTypes.CameraLost, lost.Type);
            Assert.Equal("end of stream (ffmpeg exited with code 0)", lost.Data["reason"]);
            Assert.InRange(reader.GetFigures().Frames, 9, 11);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    [Fact]
    public async Task A_missing_file_is_lost_once_with_ffmpegs_reason_and_retried()
    {
        var options = Options(_dir.File("no-such-video.mp4"));
        using var reader = new CameraReader(options, new FfmpegProcessLauncher(), _output, TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var running = reader.RunAsync(stop.Token);
        try
        {
            await Eventually.HoldsAsync(() => reader.GetFigures().Starts >= 3, () => $"three starts; figures {reader.GetFigures()}");
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }

        var lost = Assert.Single(_output.Events);
        Assert.Equal(DriverEventTypes.CameraLost, lost.Type);
        Assert.Equal("cam-test", lost.Data["camera"]);
        var reason = Assert.IsType<string>(lost.Data["reason"]);
        Assert.StartsWith("ffmpeg exited with code ", reason, StringComparison.Ordinal);
        Assert.EndsWith($"{options.Source}: No such file or directory", reason, StringComparison.Ordinal);
        var figures = reader.GetFigures();
        Assert.Equal(CameraState.Lost, figures.State);
        Assert.Equal(0, figures.Frames);
        Assert.Contains("No such file or directory", figures.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_rtsp_camera_nobody_listens_for_is_lost_with_connection_refused()
    {
        var options = Options($"rtsp://127.0.0.1:{Net.FreePort()}/north");
        using var reader = new CameraReader(options, new FfmpegProcessLauncher(), _output, TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var running = reader.RunAsync(stop.Token);
        await _output.WaitUntilAsync(o => o.Events.Length > 0, Eventually.Limit, "camera.lost");
        await stop.CancelAsync();
        await running;

        var reason = Assert.IsType<string>(Assert.Single(_output.Events).Data["reason"]);
        Assert.StartsWith("ffmpeg exited with code ", reason, StringComparison.Ordinal);
        Assert.EndsWith($"{options.Source}: Connection refused", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_ffmpeg_is_a_lost_camera_not_a_crash()
    {
        var options = Options(TestVideo());
        options.FfmpegPath = _dir.File("no-ffmpeg-here");
        using var reader = new CameraReader(options, new FfmpegProcessLauncher(), _output, TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var running = reader.RunAsync(stop.Token);
        await _output.WaitUntilAsync(o => o.Events.Length > 0, Eventually.Limit, "camera.lost");
        await stop.CancelAsync();
        await running;

        var reason = Assert.IsType<string>(Assert.Single(_output.Events).Data["reason"]);
        Assert.StartsWith($"cannot start {options.FfmpegPath}: ", reason, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
