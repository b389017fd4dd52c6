using Gateway.Contracts;
using Microsoft.Extensions.Logging;

namespace Gateway.Inference.Analytics;

/// <summary>
/// One crowd zone of one camera: the person count reading per reporting interval and the
/// gathering / dispersed hysteresis (SPEC section 2). Works on the smoothed count (<see cref="CountSmoother"/>):
/// a gathering starts once it has stayed at or above <c>alertPersons</c> for <c>alertSeconds</c> without a
/// break, and ends once it has stayed at or below <c>clearPersons</c> for <c>clearSeconds</c>; between the two
/// thresholds nothing changes, so a count wobbling around either one raises one pair, not a flurry.
/// An open gathering survives restarts in <see cref="CrowdStateFile"/>.
/// </summary>
internal sealed class CrowdZoneCounter(string camera, ZonePolygon zone, CrowdZoneOptions options, double reportSeconds, CrowdStateFile state, TimeProvider time, ILogger logger)
{
    private readonly CountSmoother _smoother = new();
    private readonly string _point = $"zone/{zone.Name}/persons";
    private long? _intervalStart;
    private int _intervalMax;
    private (long Timestamp, DateTimeOffset At)? _above;
    private long? _below;
    private Gathering? _gathering = state.Restore(zone.Name) is { } open ? Gathering.Restored(open.GatheringSeq) : null;

    public ZonePolygon Zone => zone;

    /// <summary>Whether a gathering is open (raised, its dispersal not yet published).</summary>
    public bool IsGathering => _gathering is not null;

    public void Observe(int persons, DateTimeOffset capturedAt, long timestamp, List<IngestRecord> output)
    {
        var smoothed = _smoother.Add(persons);
        Report(smoothed, capturedAt, timestamp, output);
        if (_gathering is null)
        {
            if (smoothed < options.AlertPersons)
            {
                _above = null;
                return;
            }
            _above ??= (timestamp, capturedAt);
            if (Elapsed(_above.Value.Timestamp, timestamp) >= options.AlertSeconds)
            {
                Raise(smoothed, _above.Value, capturedAt, timestamp, output);
            }
            return;
        }
        if (_gathering.Dispersal is null)
        {
            if (smoothed > options.ClearPersons)
            {
                _below = null;
                return;
            }
            _below ??= timestamp;
            if (Elapsed(_below.Value, timestamp) >= options.ClearSeconds)
            {
                _gathering.Dispersal = (smoothed, capturedAt, timestamp);
            }
        }
        PublishDispersal(output);
    }

    private void Report(int smoothed, DateTimeOffset capturedAt, long timestamp, List<IngestRecord> output)
    {
        _intervalStart ??= timestamp;
        _intervalMax = Math.Max(_intervalMax, smoothed);
        if (Elapsed(_intervalStart.Value, timestamp) < reportSeconds)
        {
            return;
        }
        output.Add(new IngestRecord(new Reading(camera, _point, (long)_intervalMax, "persons", ReadingQuality.Good, null, capturedAt, timestamp), null));
        _intervalStart = timestamp;
        _intervalMax = 0;
    }

    private void Raise(int persons, (long Timestamp, DateTimeOffset At) since, DateTimeOffset capturedAt, long timestamp, List<IngestRecord> output)
    {
        var gathering = new Gathering();
        _gathering = gathering;
        _above = null;
        _below = null;
        var data = new Dictionary<string, object?>
        {
            ["camera"] = camera,
            ["zone"] = zone.Name,
            ["persons"] = persons,
            ["alertPersons"] = options.AlertPersons,
            ["sinceTs"] = AnalyticsJson.Time(since.At),
        };
        // Written before the event leaves: a restart from here on knows the gathering is raised.
        state.Opened(zone.Name, since.At);
        Log.Gathering(logger, camera, zone.Name, persons, options.AlertPersons);
        output.Add(new IngestRecord(default, GatewayEvent.Create(AnalyticsEventTypes.CrowdGathering, camera, data, capturedAt, timestamp) with
        {
            Stored = seq =>
            {
                gathering.SetSeq(seq);
                state.SeqKnown(zone.Name, seq);
            },
            // The store dates sinceTs as it dates the event: not 1970 while the clock is unsynced.
            DataTimes = new Dictionary<string, long>(StringComparer.Ordinal) { ["sinceTs"] = since.Timestamp },
        }));
    }

    /// <summary>
    /// The dispersal waits for the gathering's seq (told by the store once it committed the gathering,
    /// normally milliseconds later): the event names it, and a dispersed event must not overtake its gathering.
    /// </summary>
    private void PublishDispersal(List<IngestRecord> output)
    {
        if (_gathering is not { Dispersal: { } dispersal } gathering || (gathering.Seq is not { } seq && !gathering.SeqLost))
        {
            return;
        }
        var data = new Dictionary<string, object?>
        {
            ["camera"] = camera,
            ["zone"] = zone.Name,
            ["persons"] = dispersal.Persons,
            ["gatheringSeq"] = gathering.Seq,
        };
        Log.Dispersed(logger, camera, zone.Name, dispersal.Persons);
        output.Add(new IngestRecord(default, GatewayEvent.Create(AnalyticsEventTypes.CrowdDispersed, camera, data, dispersal.At, dispersal.Timestamp)));
        state.Closed(zone.Name);
        _gathering = null;
        _below = null;
    }

    private double Elapsed(long from, long to) => time.GetElapsedTime(from, to).TotalSeconds;

    private sealed class Gathering
    {
        private long _seq;

        /// <summary>The seq the store gave the gathering event; null until it committed.</summary>
        public long? Seq => Interlocked.Read(ref _seq) is var s && s > 0 ? s : null;

        /// <summary>
        /// Restored from the state file without a seq: the gateway stopped before the store said it, and
        /// never will now. The dispersal then names no <c>gatheringSeq</c> (JSON null) rather than wait forever.
        /// </summary>
        public bool SeqLost { get; private init; }

        public (int Persons, DateTimeOffset At, long Timestamp)? Dispersal { get; set; }

        public static Gathering Restored(long? seq)
        {
            var gathering = new Gathering { SeqLost = seq is null };
            gathering._seq = seq ?? 0;
            return gathering;
        }

        public void SetSeq(long seq) => Interlocked.Exchange(ref _seq, seq);
    }
}
