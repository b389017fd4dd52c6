using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Cameras;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Drivers.Cameras;

/// <summary>
/// The reader against a frame process the test drives (frames, silence, exit) on a fake clock:
/// the watchdog, the lost/restored pair, the drops and the figures, with no wall-clock timing.
/// </summary>
public sealed class CameraReaderStallTests : IAsyncDisposable
{
    private const int Width = 4;
    private const int Height = 2;

    private readonly WatchedFakeTime _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
    private readonly CollectingDriverOutput _output = new();
    private readonly PipeFrameLauncher _launcher = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CameraReader _reader;
    private readonly Task _running;

    public CameraReaderStallTests()
    {
        var options = new CameraSourceOptions
        {
            Id = "cam-north",
            Source = "rtsp://127.0.0.1:8554/north",
            Width = Width,
            Height = Height,
            StallAfter = TimeSpan.FromSeconds(10),
            ReconnectMin = TimeSpan.FromSeconds(1),
            ReconnectMax = TimeSpan.FromSeconds(60),
        };
        // uniform 0 = the back-off's lower half: 0.5 s before the first restart.
        _reader = new CameraReader(options, _launcher, _output, _time, NullLogger.Instance, uniform: () => 0.0);
        _running = _reader.RunAsync(_stop.Token);
    }

    private static byte[] FrameBytes(byte value) => Enumerable.Repeat(value, Width * Height * 3).ToArray();

    private GatewayEvent[] Events(string type) => [.. _output.Events.Where(e => e.Type == type)];

    private Task FramesCountedAsync(long frames) =>
        Eventually.HoldsAsync(() => _reader.GetFigures().Frames == frames, () => $"{frames} frame(s) delivered");

    /// <summary>Once the reader is parked in its back-off (the only timer that is not a watchdog's), moves the clock to its end.</summary>
    private async Task<PipeFrameProcess> RestartAsync(int starts)
    {
        await Eventually.HoldsAsync(() => _time.IsArmed(o => o is not CancellationTokenSource), () => "the reader in its back-off");
        Assert.True(_time.AdvanceToNextTimer());
        var process = await _launcher.NextAsync();
        Assert.Equal(starts, _launcher.Starts);
        return process;
    }

    [Fact]
    public async Task A_stream_that_stops_is_lost_as_stalled_on_the_clock_then_restored_when_frames_come_back()
    {
        var first = await _launcher.NextAsync();
        await first.WriteAsync(FrameBytes(10));
        using (var frame = await _reader.Frames.TakeAsync(CancellationToken.None))
        {
            Assert.Equal(Width * Height * 3, frame.Pixels.Length);
            Assert.All(frame.Pixels.ToArray(), b => Assert.Equal(10, b));
            Assert.Equal(1, frame.Sequence);
        }
        Assert.Equal(CameraState.Streaming, _reader.GetFigures().State);

        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(first.Killed);
        Assert.Empty(Events(DriverEventTypes.CameraLost));
        _time.Advance(TimeSpan.FromSeconds(0.1));

        await _output.WaitUntilAsync(o => o.Events.Any(e => e.Type == DriverEventTypes.CameraLost), what: "camera.lost");
        Assert.True(first.Killed);
        var lost = Assert.Single(Events(DriverEventTypes.CameraLost));
        Assert.Equal("cam-north", lost.Source);
        Assert.Equal("cam-north", lost.Data["camera"]);
        Assert.Equal("stalled: no frame for 10 s", lost.Data["reason"]);
        var figures = _reader.GetFigures();
        Assert.Equal(CameraState.Lost, figures.State);
        Assert.Equal("stalled: no frame for 10 s", figures.LastError);
        Assert.Equal(0, figures.FramesPerSecond);

        var second = await RestartAsync(2);
        Assert.Empty(Events(DriverEventTypes.CameraRestored));
        await second.WriteAsync(FrameBytes(20));
        using (var frame = await _reader.Frames.TakeAsync(CancellationToken.None))
        {
            Assert.Equal(20, frame.Pixels[0]);
            Assert.Equal(2, frame.Sequence);
        }
        var restored = Assert.Single(Events(DriverEventTypes.CameraRestored));
        Assert.Equal("cam-north", restored.Data["camera"]);
        Assert.Equal(CameraState.Streaming, _reader.GetFigures().State);
        Assert.Equal(2, _reader.GetFigures().Starts);
    }

    [Fact]
    public async Task A_camera_that_keeps_failing_is_lost_once_with_ffmpegs_cause_and_backs_off_exponentially()
    {
        var first = await _launcher.NextAsync();
        first.Exit(1, "[tcp @ 0x55d0c0a0] Connection to tcp://127.0.0.1:8554?timeout=0 failed: Connection refused");
        await _output.WaitUntilAsync(o => o.Events.Length == 1, what: "camera.lost");
        var reason = Assert.Single(Events(DriverEventTypes.CameraLost)).Data["reason"];
        Assert.Equal("ffmpeg exited with code 1: [tcp @ 0x55d0c0a0] Connection to tcp://127.0.0.1:8554?timeout=0 failed: Connection refused", reason);

        // Back-off floors (uniform 0): 0.5 s, 1 s, 2 s … between starts.
        var started = _time.GetUtcNow();
        var second = await RestartAsync(2);
        var firstWait = _time.GetUtcNow() - started;
        second.Exit(1, "Connection refused");
        started = _time.GetUtcNow();
        var third = await RestartAsync(3);
        var secondWait = _time.GetUtcNow() - started;

        Assert.Equal(TimeSpan.FromSeconds(0.5), firstWait);
        Assert.Equal(TimeSpan.FromSeconds(1), secondWait);
        Assert.Single(Events(DriverEventTypes.CameraLost));
        Assert.Equal("ffmpeg exited with code 1: Connection refused", _reader.GetFigures().LastError);
        Assert.Empty(Events(DriverEventTypes.CameraRestored));
        third.Exit(0);
    }

    [Fact]
    public async Task Frames_the_analysis_did_not_take_are_dropped_and_the_rate_is_measured_on_the_clock()
    {
        var process = await _launcher.NextAsync();
        for (byte i = 1; i <= 5; i++)
        {
            await process.WriteAsync(FrameBytes(i));
            await FramesCountedAsync(i);
            _time.Advance(TimeSpan.FromSeconds(0.5));
        }

        var figures = _reader.GetFigures();
        Assert.Equal(5, figures.Frames);
        Assert.Equal(4, figures.Dropped);
        Assert.Equal(2.0, figures.FramesPerSecond, 6);
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(0.5), figures.LastFrameAt);
        using var newest = await _reader.Frames.TakeAsync(CancellationToken.None);
        Assert.Equal(5, newest.Pixels[0]);
        Assert.Equal(5, newest.Sequence);
    }

    [Fact]
    public async Task A_torn_last_frame_is_not_delivered()
    {
        var process = await _launcher.NextAsync();
        await process.WriteAsync(FrameBytes(1));
        await process.WriteAsync(FrameBytes(2)[..10]);
        process.Exit(0);

        await _output.WaitUntilAsync(o => o.Events.Length == 1, what: "camera.lost");
        Assert.Equal("end of stream (ffmpeg exited with code 0)", Events(DriverEventTypes.CameraLost)[0].Data["reason"]);
        Assert.Equal(1, _reader.GetFigures().Frames);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _reader.Dispose();
        _stop.Dispose();
    }
}
