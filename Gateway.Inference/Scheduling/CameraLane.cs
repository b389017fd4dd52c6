using Gateway.Inference.Analytics;

namespace Gateway.Inference.Scheduling;

/// <summary>
/// One camera's place in the <see cref="InferenceScheduler"/>: a mailbox of one frame (the newest;
/// an older one waiting is released and counted as dropped) and the camera's figures. The queue and
/// mailbox state is guarded by the scheduler's lock; the figures by the lane's own.
/// </summary>
public sealed class CameraLane
{
    private const int Window = 16;

    private readonly InferenceScheduler _scheduler;
    private readonly Lock _figuresGate = new();
    private readonly long[] _analysedAt = new long[Window];
    private readonly double[] _inferenceMs = new double[Window];
    private long _analysed;
    private long _inferences;
    private long _dropped;
    private long _skipped;
    private long _failures;
    private long _streak;
    private string? _lastError;

    internal CameraLane(InferenceScheduler scheduler, ICameraAnalytics analytics, double askedFps, MotionGate? gate)
    {
        _scheduler = scheduler;
        Analytics = analytics;
        AskedFps = askedFps;
        Gate = gate;
    }

    public string Camera => Analytics.Camera;

    public double AskedFps { get; }

    internal ICameraAnalytics Analytics { get; }

    internal MotionGate? Gate { get; }

    /// <summary>The detections of the last frame the detector ran on, for frames the motion gate lets through unexamined.</summary>
    internal IReadOnlyList<ModelDetections>? LastDetections { get; set; }

    // Guarded by the scheduler's lock.
    internal IAnalysisFrame? Waiting { get; set; }

    internal bool Queued { get; set; }

    internal bool Running { get; set; }

    /// <summary>Hands the camera's newest frame over; never waits. The scheduler owns the frame from here.</summary>
    public void Offer(IAnalysisFrame frame) => _scheduler.Offer(this, frame);

    public LaneFigures GetFigures(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetTimestamp();
        lock (_figuresGate)
        {
            var fps = 0.0;
            var n = (int)Math.Min(_analysed, Window);
            if (n >= 2)
            {
                var newest = _analysedAt[(_analysed - 1) % Window];
                var span = time.GetElapsedTime(_analysedAt[(_analysed - n) % Window], newest).TotalSeconds;
                var idle = time.GetElapsedTime(newest, now).TotalSeconds;
                if (span > 0 && idle < 3 * Math.Max(span / (n - 1), 1 / AskedFps))
                {
                    fps = (n - 1) / span;
                }
            }
            var runs = (int)Math.Min(_inferences, Window);
            var ms = runs == 0 ? 0 : _inferenceMs.AsSpan(0, runs).ToArray().Average();
            return new LaneFigures(Camera, AskedFps, fps, ms, _analysed, Interlocked.Read(ref _dropped), _skipped, _failures, _lastError);
        }
    }

    internal void CountDrop() => Interlocked.Increment(ref _dropped);

    /// <summary>Records an analysed frame; true when it ends a streak of failures (then <paramref name="streak"/> says how long it was).</summary>
    internal bool Analysed(long at, double? inferenceMs, out long streak)
    {
        lock (_figuresGate)
        {
            _analysedAt[_analysed++ % Window] = at;
            if (inferenceMs is { } ms)
            {
                _inferenceMs[_inferences++ % Window] = ms;
            }
            else
            {
                _skipped++;
            }
            streak = _streak;
            _streak = 0;
            return streak > 0;
        }
    }

    /// <summary>Records a lost frame; true for the first of a streak (the one to log).</summary>
    internal bool Failed(string stage, Exception error)
    {
        lock (_figuresGate)
        {
            _failures++;
            _lastError = $"{stage}: {error.Message}";
            return _streak++ == 0;
        }
    }
}
