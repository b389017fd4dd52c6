using Gateway.Inference.Analytics;
using Gateway.Inference.Postprocessing;
using Gateway.Tests.Support;

namespace Gateway.Tests.Inference.Analytics;

/// <summary>Crowd counts per zone and the gathering / dispersed hysteresis (SPEC sections 2, 3) on fake time.</summary>
public sealed class CrowdAnalysisTests
{
    internal static Detection[] Crowd(int persons) => [.. Enumerable.Range(0, persons).Select(i => AnalyticsHarness.Person(20 + (i * 35 % 600), 200 + (i * 13 % 250)))];

    internal static List<string> Types(AnalyticsHarness h) => [.. h.Events.Select(e => e.Event.Type)];

    [Fact]
    public void A_person_counts_where_its_feet_are()
    {
        using var dir = new TempDirectory();
        var camera = AnalyticsHarness.CrowdCamera(reportSeconds: 1);
        camera.Crowd!.Zones[0].Polygon = [[0, 300], [640, 300], [640, 480], [0, 480]];
        var h = new AnalyticsHarness(camera, dir.Path);

        // Box centre (y 255) above the zone, feet (y 310) in it: counted. Head in the zone, feet below the frame row 480: in (on the edge).
        // Feet at y 290, box reaching into the zone: not counted. A dog with its feet in the zone: not a person.
        h.Step([AnalyticsHarness.Box("person", 100, 200, 130, 310), AnalyticsHarness.Box("person", 200, 390, 230, 480), AnalyticsHarness.Box("person", 300, 200, 330, 290), AnalyticsHarness.Box("dog", 400, 350, 460, 400)]);
        var reading = h.Step([AnalyticsHarness.Box("person", 100, 200, 130, 310), AnalyticsHarness.Box("person", 200, 390, 230, 480)]).Single().Reading;

        Assert.Equal(("cam-north", "zone/plaza/persons", "persons", ReadingQuality.Good), (reading.Device, reading.Point, reading.Unit, reading.Quality));
        Assert.Equal(2, reading.Value.AsInt64());
    }

    [Fact]
    public void Reports_the_peak_of_the_smoothed_count_once_per_interval()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.CrowdCamera(alertPersons: 50, clearPersons: 10, reportSeconds: 10), dir.Path);
        var start = h.Time.GetUtcNow();

        // 0-10 s: 3 persons, one frame of 9 (a detector glitch the median removes) and a real rise to 6 for two frames.
        int[] counts = [3, 3, 3, 9, 3, 3, 3, 6, 6, 2, 2, /* next interval */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2];
        var readings = counts.SelectMany(c => h.Step(Crowd(c))).Select(r => r.Reading).ToList();

        Assert.Equal([6L, 2L], readings.Select(r => r.Value.AsInt64()));
        Assert.Equal([start.AddSeconds(10), start.AddSeconds(20)], readings.Select(r => r.MeasuredAt));
        Assert.Empty(h.Events);
    }

    [Fact]
    public void Gathers_after_alertSeconds_at_or_above_alertPersons_and_disperses_after_clearSeconds_at_or_below_clearPersons()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.CrowdCamera(alertPersons: 5, alertSeconds: 10, clearPersons: 2, clearSeconds: 8, reportSeconds: 1000), dir.Path);
        var start = h.Time.GetUtcNow();

        h.Hold(Crowd(1), 5);
        h.Hold(Crowd(5), 2); // smoothed reaches 5 on the second frame (t = 6 s): the gathering's start
        h.Hold(Crowd(5), 9);
        Assert.Empty(h.Events); // t = 15: 9 s at or above 5
        h.Step(Crowd(6)); // t = 16: 10 s
        var (gathering, gatheringSeq) = Assert.Single(h.Events);
        Assert.Equal(("crowd.gathering", "cam-north", start.AddSeconds(16)), (gathering.Type, gathering.Source, gathering.OccurredAt));
        Assert.Equal(["camera", "zone", "persons", "alertPersons", "sinceTs"], AnalyticsHarness.Keys(gathering));
        var data = AnalyticsHarness.Data(gathering);
        Assert.Equal(("cam-north", "plaza", 5, 5, "2026-11-29T08:00:06.000Z"),
            (data.GetProperty("camera").GetString(), data.GetProperty("zone").GetString(), data.GetProperty("persons").GetInt32(), data.GetProperty("alertPersons").GetInt32(), data.GetProperty("sinceTs").GetString()));

        h.Hold(Crowd(3), 30); // between the thresholds: still gathered
        Assert.Single(h.Events);
        h.Hold(Crowd(2), 9); // t 47-55: smoothed 2 from t 48, so 8 s at or below 2 at t 56
        h.Step(Crowd(2));
        var dispersed = h.Events.Last().Event;
        Assert.Equal("crowd.dispersed", dispersed.Type);
        Assert.Equal(["camera", "zone", "persons", "gatheringSeq"], AnalyticsHarness.Keys(dispersed));
        Assert.Equal(gatheringSeq, AnalyticsHarness.Data(dispersed).GetProperty("gatheringSeq").GetInt64());
        Assert.Equal(2, AnalyticsHarness.Data(dispersed).GetProperty("persons").GetInt32());
        Assert.Equal(2, h.Events.Count());
    }

    [Fact]
    public void One_frame_dip_does_not_reset_the_alert_time_but_two_do()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.CrowdCamera(alertPersons: 5, alertSeconds: 10, reportSeconds: 1000), dir.Path);
        h.Hold(Crowd(6), 6);
        h.Step(Crowd(0)); // one frame: the median of (6, 6, 0) is 6
        h.Hold(Crowd(6), 4);
        Assert.Equal(["crowd.gathering"], Types(h)); // 10 s after the first frame at 6 (smoothing starts at frame 1)

        using var dir2 = new TempDirectory();
        var h2 = new AnalyticsHarness(AnalyticsHarness.CrowdCamera(alertPersons: 5, alertSeconds: 10, reportSeconds: 1000), dir2.Path);
        h2.Hold(Crowd(6), 6);
        h2.Hold(Crowd(0), 2); // two frames: the median drops, the alert time starts again
        h2.Hold(Crowd(6), 10);
        Assert.Empty(h2.Events);
        h2.Hold(Crowd(6), 2);
        Assert.Equal(["crowd.gathering"], Types(h2));
    }

    [Fact]
    public void The_dispersal_waits_for_the_gathering_seq_and_never_overtakes_it()
    {
        using var dir = new TempDirectory();
        var h = new AnalyticsHarness(AnalyticsHarness.CrowdCamera(alertPersons: 5, alertSeconds: 0, clearPersons: 2, clearSeconds: 0, reportSeconds: 1000), dir.Path) { StoreAtOnce = false };
        h.Hold(Crowd(6), 3);
        h.Hold(Crowd(0), 10);
        Assert.Equal(["crowd.gathering"], Types(h)); // the store has not said the seq: no dispersal that would have to guess it

        h.StoreHeldEvents();
        var dispersedAt = h.Time.GetUtcNow().AddSeconds(-9); // decided on the second frame at 0
        h.Step(Crowd(0));
        Assert.Equal(["crowd.gathering", "crowd.dispersed"], Types(h));
        var dispersed = h.Events.Last().Event;
        Assert.Equal(h.Events.First().Seq, AnalyticsHarness.Data(dispersed).GetProperty("gatheringSeq").GetInt64());
        Assert.Equal(dispersedAt, dispersed.OccurredAt); // the time it dispersed, not the time the seq came
    }

    /// <summary>
    /// Property: whatever the noise, a count that holds high for long stretches and low between them
    /// gives exactly one gathering/dispersed pair per high stretch, in order, each dispersal naming its gathering.
    /// Noise: ±2 around the stretch's level, plus single-frame outliers (misses to 0, ghosts to 15) on 10 % of frames.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void A_noisy_count_gives_exactly_one_pair_per_gathering(int seed)
    {
        using var dir = new TempDirectory();
        const int Alert = 8, Clear = 3;
        var h = new AnalyticsHarness(AnalyticsHarness.CrowdCamera(alertPersons: Alert, alertSeconds: 20, clearPersons: Clear, clearSeconds: 20, reportSeconds: 10), dir.Path);
        var random = new Random(seed);
        var gatherings = 0;
        var lastOutlier = -2;
        for (var stretch = 0; stretch < 9; stretch++) // low, high, …, low
        {
            var high = stretch % 2 == 1;
            if (high)
            {
                gatherings++;
            }
            var level = high ? Alert + 2 : Clear - 2;
            var length = random.Next(60, 120);
            for (var frame = 0; frame < length; frame++)
            {
                var count = level + random.Next(-2, 3);
                // Isolated single-frame outliers (at least two normal frames apart: two in one window of three would be a real change for the median).
                if (random.NextDouble() < 0.1 && frame - lastOutlier > 2 && frame > 0 && frame < length - 1)
                {
                    count = high ? 0 : 15;
                    lastOutlier = frame;
                }
                h.Step(Crowd(Math.Max(0, count)));
            }
            lastOutlier = -2;
        }

        var events = h.Events.ToList();
        Assert.Equal(Enumerable.Range(0, gatherings).SelectMany(_ => new[] { "crowd.gathering", "crowd.dispersed" }), events.Select(e => e.Event.Type));
        for (var i = 0; i < events.Count; i += 2)
        {
            Assert.Equal(events[i].Seq, AnalyticsHarness.Data(events[i + 1].Event).GetProperty("gatheringSeq").GetInt64());
        }
        Assert.All(h.Records.Where(r => r.Record.Event is null), r => Assert.InRange(r.Record.Reading.Value.AsInt64(), 0, Alert + 4));
    }
}
