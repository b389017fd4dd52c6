using System.Globalization;
using Gateway.Drivers.Abstractions;
using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Cameras;

/// <summary>
/// Reads one camera: starts its frame process (ffmpeg), reads frames of exactly
/// <see cref="CameraSourceOptions.FrameBytes"/> into pooled buffers and hands them to
/// <see cref="Frames"/>. A watchdog on the injected clock ends a process that delivers no frame for
/// <see cref="CameraSourceOptions.StallAfter"/> (RTSP over TCP can hang without an error for
/// minutes). Whenever the process ends, it is started again after a jittered exponential back-off;
/// the platform hears <c>camera.lost</c> with the cause once per outage and <c>camera.restored</c>
/// with the first frame after it.
/// </summary>
public sealed class CameraReader : IDisposable
{
    private const int RateWindow = 16;
    private const string RestoredReason = "receiving frames again";

    private readonly CameraSourceOptions _options;
    private readonly IFrameProcessLauncher _launcher;
    private readonly IDriverOutput _output;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _uniform;
    private readonly Lock _gate = new();
    private readonly long[] _recent = new long[RateWindow];
    private long _frames;
    private int _starts;
    private int _failedStarts;
    private CameraState _state;
    private string? _lastError;
    private DateTimeOffset? _lastFrameAt;

    /// <param name="uniform">Draws from [0, 1) for the back-off's jitter; <see cref="Random.Shared"/> when null.</param>
    public CameraReader(CameraSourceOptions options, IFrameProcessLauncher launcher, IDriverOutput output, TimeProvider time, ILogger logger, Func<double>? uniform = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.StallAfter, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ReconnectMin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReconnectMax, options.ReconnectMin);
        _options = options;
        _launcher = launcher;
        _output = output;
        _time = time;
        _logger = logger;
        _uniform = uniform ?? Random.Shared.NextDouble;
        Frames = new LatestFrameSlot(options.QueuedFrames);
    }

    public string Camera => _options.Id;

    /// <summary>The newest frames for the analysis; the taker disposes what it takes.</summary>
    public LatestFrameSlot Frames { get; }

    /// <summary>Reads until <paramref name="cancellationToken"/> is cancelled; never ends on a camera fault.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string reason;
            try
            {
                var (why, delivered) = await RunProcessAsync(cancellationToken).ConfigureAwait(false);
                reason = why;
                if (delivered)
                {
                    _failedStarts = 0;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (IOException e)
            {
                reason = e.Message;
            }
#pragma warning disable CA1031 // one camera's unexpected fault must not end its reader, let alone the gateway
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.ReaderCrashed(_logger, _options.Id, e);
                reason = e.Message;
            }
            try
            {
                await LostAsync(reason, cancellationToken).ConfigureAwait(false);
                var delay = Backoff(_failedStarts++);
                Log.Reconnecting(_logger, _options.Id, reason, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public CameraFigures GetFigures()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            var fps = 0.0;
            var n = (int)Math.Min(_frames, RateWindow);
            if (n >= 2)
            {
                var newest = _recent[(_frames - 1) % RateWindow];
                var oldest = _recent[(_frames - n) % RateWindow];
                var span = _time.GetElapsedTime(oldest, newest).TotalSeconds;
                if (span > 0 && _time.GetElapsedTime(newest, now) < _options.StallAfter)
                {
                    fps = (n - 1) / span;
                }
            }
            return new CameraFigures(_options.Id, _state, fps, _frames, Frames.Dropped, _starts, _lastError, _lastFrameAt);
        }
    }

    public void Dispose() => Frames.Dispose();

    /// <summary>One life of the frame process: why it ended, and whether it delivered a frame.</summary>
    private async Task<(string Reason, bool Delivered)> RunProcessAsync(CancellationToken cancellationToken)
    {
        var stderr = new FfmpegStderrSummary(_options.Id, _options.StderrLogInterval, _time, _logger);
        lock (_gate)
        {
            _starts++;
        }
        var process = _launcher.Start(_options, stderr.Add);
        await using (process.ConfigureAwait(false))
        {
            using var stall = new CancellationTokenSource();
            using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token);
            // Killing ends the read even where a pipe read ignores its token.
            using var kill = session.Token.Register(process.Kill);
            using var watchdog = _time.CreateTimer(Stalled, stall, _options.StallAfter, Timeout.InfiniteTimeSpan);
            var delivered = false;
            while (true)
            {
                var frame = VideoFrame.Rent(_options.Width, _options.Height);
                if (!await ReadFrameAsync(process.Frames, frame, session.Token).ConfigureAwait(false))
                {
                    frame.Dispose();
                    break;
                }
                watchdog.Change(_options.StallAfter, Timeout.InfiniteTimeSpan);
                delivered = true;
                await DeliverAsync(frame, cancellationToken).ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (stall.IsCancellationRequested)
            {
                stderr.Flush();
                var seconds = _options.StallAfter.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
                return ($"stalled: no frame for {seconds} s", delivered);
            }
            var code = await ExitCodeAsync(process, cancellationToken).ConfigureAwait(false);
            stderr.Flush();
            return (ExitReason(code, stderr.LastMeaningful), delivered);
        }
    }

    /// <summary>True for a whole frame; false at the end of the stream (a torn last frame included) or when the session was cancelled.</summary>
    private static async Task<bool> ReadFrameAsync(Stream frames, VideoFrame frame, CancellationToken cancellationToken)
    {
        try
        {
            var read = await frames.ReadAtLeastAsync(frame.Writable, frame.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return read == frame.Length;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            // The pipe broke under a kill: the process's exit says why.
            return false;
        }
    }

    private static void Stalled(object? state)
    {
        try
        {
            ((CancellationTokenSource)state!).Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The process ended while the watchdog fired: nothing left to stop.
        }
    }

    private async Task<int> ExitCodeAsync(IFrameProcess process, CancellationToken cancellationToken)
    {
        try
        {
            // ffmpeg closes stdout only when it exits; one that lingers after is ended like a stalled one.
            return await process.Exited.WaitAsync(_options.StallAfter, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            process.Kill();
            return await process.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string ExitReason(int code, string? lastLine) => (code, lastLine) switch
    {
        (0, null) => "end of stream (ffmpeg exited with code 0)",
        (0, _) => $"end of stream (ffmpeg exited with code 0): {lastLine}",
        (_, null) => $"ffmpeg exited with code {code}",
        _ => $"ffmpeg exited with code {code}: {lastLine}",
    };

    private async ValueTask DeliverAsync(VideoFrame frame, CancellationToken cancellationToken)
    {
        bool restored;
        int attempts;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            frame.Sequence = ++_frames;
            frame.Timestamp = now;
            frame.CapturedAt = _time.GetUtcNow();
            _recent[(_frames - 1) % RateWindow] = now;
            _lastFrameAt = frame.CapturedAt;
            restored = _state == CameraState.Lost;
            _state = CameraState.Streaming;
            attempts = _failedStarts;
        }
        try
        {
            if (restored)
            {
                Log.CameraRestored(_logger, _options.Id, attempts);
                await _output.PublishAsync(Event(DriverEventTypes.CameraRestored, RestoredReason), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Frames.Offer(frame);
        }
    }

    /// <summary>Raises <c>camera.lost</c> once per outage; a camera that keeps failing only updates its last error.</summary>
    private ValueTask LostAsync(string reason, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _lastError = reason;
            if (_state == CameraState.Lost)
            {
                return ValueTask.CompletedTask;
            }
            _state = CameraState.Lost;
        }
        Log.CameraLost(_logger, _options.Id, reason);
        return _output.PublishAsync(Event(DriverEventTypes.CameraLost, reason), cancellationToken);
    }

    /// <summary>Half fixed, half random ("equal jitter"): never an immediate retry, yet cameras cut off together do not return in step.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_options.ReconnectMax.Ticks, _options.ReconnectMin.Ticks * Math.Pow(2, Math.Clamp(attempt, 0, 30)));
        return TimeSpan.FromTicks((long)(ceiling * (0.5 + (0.5 * _uniform()))));
    }

    private GatewayEvent Event(string type, string reason)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal) { ["camera"] = _options.Id, ["reason"] = reason };
        return GatewayEvent.Create(type, _options.Id, data, _time.GetUtcNow(), _time.GetTimestamp());
    }
}
