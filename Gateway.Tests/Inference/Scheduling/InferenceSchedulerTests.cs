using Gateway.Inference;
using Gateway.Inference.Postprocessing;
using Gateway.Inference.Scheduling;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Inference.Scheduling;

/// <summary>
/// The shared detector threads with fake detectors and analyses: fair turns, newest frame only,
/// cameras without frames or with a hung detector costing the others nothing, faults logged once per
/// streak, figures on a fake clock, and the records in the ingest queue.
/// </summary>
public sealed class InferenceSchedulerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly FakeDetectors _detectors = new();
    private readonly IngestQueue _queue = new(1000);
    private readonly CapturingLogger<InferenceScheduler> _log = new();
    private InferenceScheduler? _scheduler;

    private InferenceScheduler Scheduler(int threads) => _scheduler = new InferenceScheduler(threads, _detectors, _queue, _time, _log);

    private FakeFrame Frame(byte level = 100) => new(8, 6, level, _time.GetUtcNow(), _time.GetTimestamp());

    public void Dispose() => _scheduler?.Dispose();

    [Fact]
    public async Task Three_cameras_on_one_thread_are_served_in_turn_however_fast_their_frames_come()
    {
        var scheduler = Scheduler(threads: 1);
        var order = new List<string>();
        var cameras = new[] { "cam-a", "cam-b", "cam-c" }.Select(id => new RecordingAnalytics(id, "person")).ToArray();
        var lanes = cameras.Select(c => scheduler.Add(c, askedFps: 1)).ToArray();
        foreach (var (camera, lane) in cameras.Zip(lanes))
        {
            // Every camera has its next frame ready the moment it was served: all compete all the time.
            camera.During = c =>
            {
                lock (order)
                {
                    order.Add(c.Camera);
                    if (order.Count < 12)
                    {
                        lane.Offer(Frame());
                    }
                }
            };
            lane.Offer(Frame());
        }

        scheduler.Start();

        await Eventually.HoldsAsync(() => order.Count >= 12, () => $"12 turns, saw {string.Join(",", order)}");
        lock (order)
        {
            Assert.Equal(Enumerable.Repeat(new[] { "cam-a", "cam-b", "cam-c" }, 4).SelectMany(x => x), order.Take(12));
        }
    }

    [Fact]
    public async Task Only_the_newest_frame_waits_and_the_ones_it_replaced_are_released_and_counted()
    {
        var scheduler = Scheduler(threads: 1);
        using var release = new ManualResetEventSlim();
        var camera = new RecordingAnalytics("cam-a", "person");
        var lane = scheduler.Add(camera, askedFps: 1);
        _detectors.Run = (_, rgb) =>
        {
            if (rgb[0] == 1)
            {
                release.Wait(TimeSpan.FromSeconds(30)); // the first frame is slow: frames pile up behind it
            }
            return [];
        };
        scheduler.Start();
        lane.Offer(Frame(1));
        await Eventually.HoldsAsync(() => _detectors.Runs == 1, () => "the first frame in the detector");
        var stale = new[] { Frame(2), Frame(3), Frame(4) };
        foreach (var frame in stale)
        {
            lane.Offer(frame);
        }
        var newest = Frame(5);
        lane.Offer(newest);
        release.Set();

        await Eventually.HoldsAsync(() => camera.Observations.Count == 2, () => "the first and the newest frame observed");
        Assert.Equal([1, 5], camera.Observations.Select(o => (int)o.FirstByte));
        Assert.All(stale, f => Assert.True(f.Disposed));
        await Eventually.HoldsAsync(() => newest.Disposed, () => "the analysed frame released");
        Assert.Equal(3, lane.GetFigures(_time).Dropped);
        Assert.Equal(2, lane.GetFigures(_time).Analysed);
    }

    [Fact]
    public async Task A_camera_whose_frames_never_come_and_one_whose_detector_hangs_leave_the_others_served()
    {
        var scheduler = Scheduler(threads: 2);
        using var hang = new ManualResetEventSlim();
        _detectors.Run = (model, _) =>
        {
            if (model == "hangs")
            {
                hang.Wait(TimeSpan.FromSeconds(30));
            }
            return [];
        };
        var silent = new RecordingAnalytics("cam-silent", "person");
        var hung = new RecordingAnalytics("cam-hung", "hangs");
        var busy = new[] { new RecordingAnalytics("cam-b", "person"), new RecordingAnalytics("cam-c", "person") };
        scheduler.Add(silent, 1);
        var hungLane = scheduler.Add(hung, 1);
        var lanes = busy.Select(c => scheduler.Add(c, 1)).ToArray();
        scheduler.Start();
        hungLane.Offer(Frame());

        for (var i = 0; i < 5; i++)
        {
            foreach (var lane in lanes)
            {
                lane.Offer(Frame());
            }
            hungLane.Offer(Frame());
            await Eventually.HoldsAsync(() => busy.All(c => c.Observations.Count == i + 1), () => $"round {i + 1} of the busy cameras");
        }

        Assert.Empty(silent.Observations);
        Assert.Empty(hung.Observations);
        // The hung camera's frames did not pile up: only its newest waits, the rest were dropped.
        Assert.Equal(4, hungLane.GetFigures(_time).Dropped);
        hang.Set();
        await Eventually.HoldsAsync(() => hung.Observations.Count == 2, () => "the hung camera's first and newest frame");
    }

    [Fact]
    public async Task A_failing_detector_is_logged_once_per_streak_while_its_camera_and_the_others_go_on()
    {
        var scheduler = Scheduler(threads: 1);
        var failures = 0;
        _detectors.Run = (model, _) => model == "flaky" && Volatile.Read(ref failures) > 0 && Interlocked.Decrement(ref failures) >= 0
            ? throw new InvalidOperationException("ORT: bad input")
            : [];
        var flaky = new RecordingAnalytics("cam-a", "flaky");
        var steady = new RecordingAnalytics("cam-b", "person");
        var flakyLane = scheduler.Add(flaky, 1);
        var steadyLane = scheduler.Add(steady, 1);
        scheduler.Start();

        async Task RoundAsync(int steadyObserved)
        {
            flakyLane.Offer(Frame());
            steadyLane.Offer(Frame());
            await Eventually.HoldsAsync(() => steady.Observations.Count == steadyObserved, () => $"{steadyObserved} frames of cam-b");
            await Eventually.HoldsAsync(() => flakyLane.GetFigures(_time).Analysed + flakyLane.GetFigures(_time).Failures == steadyObserved, () => "cam-a's frame done");
        }

        Volatile.Write(ref failures, 3);
        for (var i = 1; i <= 3; i++)
        {
            await RoundAsync(i);
        }
        Assert.Empty(flaky.Observations);
        await RoundAsync(4);
        Assert.Single(flaky.Observations);
        Volatile.Write(ref failures, 2);
        await RoundAsync(5);
        await RoundAsync(6);
        await RoundAsync(7);

        var errors = _log.Entries.Where(e => e.Level == LogLevel.Error).ToList();
        Assert.Equal(2, errors.Count); // one per streak, not one per frame
        Assert.All(errors, e => Assert.Contains("camera cam-a: model 'flaky' failed", e.Message, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.IsType<InvalidOperationException>(e.Exception));
        Assert.Contains(_log.Lines, l => l == "camera cam-a: analysis works again after 3 failed frame(s)");
        var figures = flakyLane.GetFigures(_time);
        Assert.Equal(5, figures.Failures);
        Assert.Equal(2, figures.Analysed);
        Assert.Equal("model 'flaky': ORT: bad input", figures.LastError);
        Assert.Equal(7, steady.Observations.Count);
        // A detector that threw is replaced: cam-a got a fresh one after each of its 5 failures (6 in all), cam-b kept its one.
        Assert.Equal(1 + 5 + 1, _detectors.Created);
    }

    [Fact]
    public async Task An_analysis_that_throws_loses_that_frame_only()
    {
        var scheduler = Scheduler(threads: 1);
        var camera = new RecordingAnalytics("cam-a", "person") { Throw = new FormatException("zone maths") };
        var lane = scheduler.Add(camera, 1);
        scheduler.Start();
        lane.Offer(Frame());
        await Eventually.HoldsAsync(() => lane.GetFigures(_time).Failures == 1, () => "the failed frame counted");
        camera.Throw = null;
        lane.Offer(Frame());
        await Eventually.HoldsAsync(() => camera.Observations.Count == 1, () => "the next frame observed");

        Assert.Equal("analysis: zone maths", lane.GetFigures(_time).LastError);
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task Figures_give_the_rate_achieved_against_the_rate_asked_and_the_detector_time_on_the_fake_clock()
    {
        var scheduler = Scheduler(threads: 1);
        _detectors.Run = (_, _) =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(120)); // the inference "takes" 120 ms
            return [];
        };
        var camera = new RecordingAnalytics("cam-a", "person", "litter");
        var lane = scheduler.Add(camera, askedFps: 2);
        scheduler.Start();

        for (var i = 1; i <= 5; i++)
        {
            lane.Offer(Frame());
            await Eventually.HoldsAsync(() => lane.GetFigures(_time).Analysed == i, () => $"frame {i}");
            _time.Advance(TimeSpan.FromMilliseconds(760)); // the next frame 1 s after this one
        }

        var figures = lane.GetFigures(_time);
        Assert.Equal(2, figures.AskedFps);
        Assert.Equal(1.0, figures.AnalysisFps, 6);
        Assert.Equal(240, figures.InferenceMs, 6); // both models
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, lane.GetFigures(_time).AnalysisFps); // none for three frame intervals: not running
    }

    [Fact]
    public async Task What_the_analysis_returns_goes_into_the_ingest_queue_in_order_with_each_models_detections()
    {
        var scheduler = Scheduler(threads: 1);
        _detectors.Run = (model, _) => model == "person" ? [new Detection(0, 0.8f, 10, 20, 30, 40)] : [new Detection(39, 0.6f, 1, 2, 3, 4), new Detection(41, 0.5f, 5, 6, 7, 8)];
        var camera = new RecordingAnalytics("cam-a", "person", "litter");
        var lane = scheduler.Add(camera, 1);
        scheduler.Start();
        var captured = new List<DateTimeOffset>();
        for (var i = 0; i < 3; i++)
        {
            captured.Add(_time.GetUtcNow());
            lane.Offer(Frame());
            await Eventually.HoldsAsync(() => camera.Observations.Count == i + 1, () => $"frame {i + 1}");
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var observed = camera.Observations[0].Detections;
        Assert.Equal(["person", "litter"], observed.Select(d => d.ModelId));
        Assert.Equal([new Detection(0, 0.8f, 10, 20, 30, 40)], observed[0].Detections);
        Assert.Equal(2, observed[1].Detections.Count);
        Assert.Equal(["person"], observed[0].Labels);
        var readings = new List<Reading>();
        while (_queue.Reader.TryRead(out var record))
        {
            readings.Add(record.Reading);
        }
        Assert.Equal([1L, 2L, 3L], readings.Select(r => (long)r.Value.AsDouble()));
        Assert.Equal(captured, readings.Select(r => r.MeasuredAt));
    }

    [Fact]
    public async Task Behind_the_motion_gate_a_still_scene_reuses_the_last_detections_until_it_changes_or_the_longest_skip_ends()
    {
        var scheduler = Scheduler(threads: 1);
        var camera = new RecordingAnalytics("cam-a", "person");
        var lane = scheduler.Add(camera, 1, new MotionGateOptions { MinChangedPercent = 0.1, MaxSkipSeconds = 10 });
        scheduler.Start();

        async Task OfferAsync(FakeFrame frame, int observed)
        {
            lane.Offer(frame);
            await Eventually.HoldsAsync(() => camera.Observations.Count == observed, () => $"{observed} frames observed");
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var n = 0;
        for (var i = 0; i < 5; i++)
        {
            await OfferAsync(new FakeFrame(640, 480, 100, _time.GetUtcNow(), _time.GetTimestamp()), ++n);
        }
        Assert.Equal(1, _detectors.Runs);
        // A bottle-sized block (20x40 px) set down: about 8 of 3072 cells change.
        await OfferAsync(new FakeFrame(640, 480, 100, _time.GetUtcNow(), _time.GetTimestamp()).WithBlock(300, 400, 20, 40, 220), ++n);
        Assert.Equal(2, _detectors.Runs);
        // Still again: skipped until 10 s after the last run, then run whatever the scene.
        for (var i = 0; i < 10; i++)
        {
            await OfferAsync(new FakeFrame(640, 480, 100, _time.GetUtcNow(), _time.GetTimestamp()).WithBlock(300, 400, 20, 40, 220), ++n);
        }
        Assert.Equal(3, _detectors.Runs);
        Assert.All(camera.Observations, o => Assert.Single(o.Detections));
        var figures = lane.GetFigures(_time);
        Assert.Equal(n, figures.Analysed);
        Assert.Equal(n - 3, figures.MotionSkipped);
    }
}
