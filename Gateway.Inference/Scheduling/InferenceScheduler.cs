using Gateway.Contracts;
using Gateway.Inference.Analytics;
using Gateway.Inference.Detectors;
using Microsoft.Extensions.Logging;

namespace Gateway.Inference.Scheduling;

/// <summary>
/// At most N detector threads for all cameras (SPEC section 2.2, issue 12): a camera's newest frame
/// waits in its <see cref="CameraLane"/>, and a lane with a frame joins the back of one ready queue,
/// which the threads serve in order — fair rotation among the cameras that have a frame, whatever
/// their rate or speed; a camera without frames takes no turn. A lane is on one thread at a time, so
/// <see cref="ICameraAnalytics.Observe"/> is never concurrent for a camera and sees frames in capture
/// order. Each thread keeps its own detector per model (<see cref="IObjectDetector"/> is not
/// thread-safe). The threads are dedicated, not the thread pool's: an inference blocks for tens to
/// hundreds of milliseconds, and the pool (two threads on a two-core pole) must stay free for the
/// Modbus polls and the uplink. Records the analysis returns go into the <see cref="IngestQueue"/>;
/// when the store falls behind, the thread waits (back-pressure) and the cameras' frames are dropped
/// meanwhile instead of queued.
/// </summary>
public sealed class InferenceScheduler : IDisposable
{
    private readonly int _threads;
    private readonly IDetectorFactory _detectors;
    private readonly IngestQueue _output;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // An object, not a Lock: the threads park on it with Monitor.Wait.
    private readonly object _gate = new();
    private readonly Queue<CameraLane> _ready = new();
    private readonly List<CameraLane> _lanes = [];
    private readonly List<Thread> _workers = [];
    private readonly CancellationTokenSource _stopping = new();
    private bool _stopped;

    public InferenceScheduler(int threads, IDetectorFactory detectors, IngestQueue output, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        _threads = threads;
        _detectors = detectors;
        _output = output;
        _time = time;
        _logger = logger;
    }

    public IReadOnlyList<CameraLane> Lanes
    {
        get
        {
            lock (_gate)
            {
                return [.. _lanes];
            }
        }
    }

    /// <summary>A camera's lane; frames offered to it before <see cref="Start"/> wait for the threads.</summary>
    public CameraLane Add(ICameraAnalytics analytics, double askedFps, MotionGateOptions? motionGate = null)
    {
        ArgumentNullException.ThrowIfNull(analytics);
        var lane = new CameraLane(this, analytics, askedFps, motionGate is null ? null : new MotionGate(motionGate, _time));
        lock (_gate)
        {
            _lanes.Add(lane);
        }
        return lane;
    }

    /// <summary>Starts the threads: never more than there are cameras.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            var count = Math.Min(_threads, Math.Max(1, _lanes.Count));
            for (var i = _workers.Count; i < count; i++)
            {
                var thread = new Thread(Work) { IsBackground = true, Name = $"inference-{i}" };
                _workers.Add(thread);
                thread.Start();
            }
            Log.Started(_logger, count, _lanes.Count);
        }
    }

    /// <summary>
    /// Lets each thread finish its frame, then ends them and releases the frames still waiting. A
    /// detector that never returns holds this up; the host's shutdown deadline bounds the wait.
    /// </summary>
    public void Stop()
    {
        List<IAnalysisFrame> waiting = [];
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            Monitor.PulseAll(_gate);
        }
        _stopping.Cancel();
        foreach (var worker in _workers)
        {
            worker.Join();
        }
        lock (_gate)
        {
            foreach (var lane in _lanes)
            {
                if (lane.Waiting is { } frame)
                {
                    waiting.Add(frame);
                    lane.Waiting = null;
                }
            }
            _ready.Clear();
        }
        waiting.ForEach(f => f.Dispose());
    }

    public void Dispose()
    {
        Stop();
        _stopping.Dispose();
    }

    internal void Offer(CameraLane lane, IAnalysisFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        IAnalysisFrame? pushedOut;
        lock (_gate)
        {
            if (_stopped)
            {
                pushedOut = frame;
            }
            else
            {
                pushedOut = lane.Waiting;
                lane.Waiting = frame;
                if (pushedOut is not null)
                {
                    lane.CountDrop();
                }
                else if (!lane.Running && !lane.Queued)
                {
                    Enqueue(lane);
                }
            }
        }
        pushedOut?.Dispose();
    }

    private void Enqueue(CameraLane lane)
    {
        lane.Queued = true;
        _ready.Enqueue(lane);
        Monitor.Pulse(_gate);
    }

    private void Work()
    {
        var detectors = new Dictionary<string, IObjectDetector>(StringComparer.Ordinal);
        try
        {
            while (Next() is var (lane, frame))
            {
                try
                {
                    Analyse(lane, frame, detectors);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                finally
                {
                    frame.Dispose();
                    Done(lane);
                }
            }
        }
        finally
        {
            foreach (var detector in detectors.Values)
            {
                detector.Dispose();
            }
        }
    }

    private (CameraLane Lane, IAnalysisFrame Frame)? Next()
    {
        lock (_gate)
        {
            while (!_stopped && _ready.Count == 0)
            {
                Monitor.Wait(_gate);
            }
            if (_stopped)
            {
                return null;
            }
            var lane = _ready.Dequeue();
            lane.Queued = false;
            lane.Running = true;
            var frame = lane.Waiting!;
            lane.Waiting = null;
            return (lane, frame);
        }
    }

    /// <summary>A lane that received a frame while on a thread goes to the back of the queue: the others had theirs first.</summary>
    private void Done(CameraLane lane)
    {
        lock (_gate)
        {
            lane.Running = false;
            if (lane.Waiting is not null && !_stopped)
            {
                Enqueue(lane);
            }
        }
    }

    private void Analyse(CameraLane lane, IAnalysisFrame frame, Dictionary<string, IObjectDetector> detectors)
    {
        var rgb = frame.Rgb24;
        IReadOnlyList<ModelDetections> detections;
        double? inferenceMs = null;
        // The gate sees every frame, so that the first one becomes its reference too.
        var unchanged = lane.Gate is { } gate && !gate.ShouldAnalyse(rgb, frame.Width, frame.Height, frame.Timestamp);
        if (unchanged && lane.LastDetections is { } last)
        {
            detections = last;
        }
        else
        {
            var started = _time.GetTimestamp();
            if (!TryDetect(lane, frame, detectors, out detections))
            {
                return;
            }
            inferenceMs = _time.GetElapsedTime(started).TotalMilliseconds;
            lane.LastDetections = detections;
        }
        IReadOnlyList<IngestRecord> records;
        try
        {
            records = lane.Analytics.Observe(rgb, frame.Width, frame.Height, detections, frame.CapturedAt, frame.Timestamp);
        }
#pragma warning disable CA1031 // a camera's analysis fault costs that frame, never the thread that serves every camera
        catch (Exception e)
#pragma warning restore CA1031
        {
            Failed(lane, "analysis", e);
            return;
        }
        if (lane.Analysed(_time.GetTimestamp(), inferenceMs, out var streak))
        {
            Log.AnalysisRecovered(_logger, lane.Camera, streak);
        }
        foreach (var record in records)
        {
            var publish = record.Event is { } e ? _output.PublishAsync(e, _stopping.Token) : _output.PublishAsync(record.Reading, _stopping.Token);
            if (!publish.IsCompletedSuccessfully)
            {
                // The store is behind: this thread waits, as a driver's poll does (nothing is lost in memory).
                publish.AsTask().GetAwaiter().GetResult();
            }
        }
    }

    private bool TryDetect(CameraLane lane, IAnalysisFrame frame, Dictionary<string, IObjectDetector> detectors, out IReadOnlyList<ModelDetections> detections)
    {
        var models = lane.Analytics.Models;
        var results = new List<ModelDetections>(models.Count);
        foreach (var model in models)
        {
            IObjectDetector? detector = null;
            try
            {
                if (!detectors.TryGetValue(model, out detector))
                {
                    detector = _detectors.Create(model);
                    detectors.Add(model, detector);
                }
                // The detector's span is its own buffer, valid until its next run: copied for the analysis.
                var found = detector.Detect(frame.Rgb24, frame.Width, frame.Height).ToArray();
                results.Add(new ModelDetections(model, _detectors.Labels(model), found));
            }
#pragma warning disable CA1031 // as above: the camera loses this frame, the thread and the other cameras go on
            catch (Exception e)
#pragma warning restore CA1031
            {
                // A detector that failed may hold a broken binding: the next frame gets a fresh one.
                if (detector is not null && detectors.Remove(model))
                {
                    detector.Dispose();
                }
                Failed(lane, $"model '{model}'", e);
                detections = [];
                return false;
            }
        }
        detections = results;
        return true;
    }

    private void Failed(CameraLane lane, string stage, Exception error)
    {
        if (lane.Failed(stage, error))
        {
            Log.AnalysisFailed(_logger, lane.Camera, stage, error);
        }
    }
}
