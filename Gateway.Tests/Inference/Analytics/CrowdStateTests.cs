using System.Text.Json;
using Gateway.Inference.Analytics;
using Gateway.Inference.Postprocessing;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Inference.Analytics;

/// <summary>A gathering open across a gateway restart (<see cref="CrowdStateFile"/>), on fake time: one pair per gathering, also then.</summary>
public sealed class CrowdStateTests
{
    private static Detection[] Crowd(int persons) => CrowdAnalysisTests.Crowd(persons);

    private static List<string> Types(AnalyticsHarness h) => CrowdAnalysisTests.Types(h);

    private static AnalyticsHarness Start(string directory, bool storeAtOnce = true) =>
        new(AnalyticsHarness.CrowdCamera(alertPersons: 5, alertSeconds: 10, clearPersons: 2, clearSeconds: 10, reportSeconds: 60), directory) { StoreAtOnce = storeAtOnce };

    [Fact]
    public void A_gathering_open_across_a_restart_raises_no_second_gathering_and_its_dispersal_names_the_first()
    {
        using var dir = new TempDirectory();
        var h = Start(dir.Path);
        h.Hold(Crowd(6), 12);
        var (gathering, seq) = Assert.Single(h.Events);
        Assert.Equal("crowd.gathering", gathering.Type);
        Assert.Contains($"\"gatheringSeq\": {seq}", File.ReadAllText(CrowdStateFile.For(dir.Path, "cam-north")), StringComparison.Ordinal);

        h.Time.Advance(TimeSpan.FromMinutes(3)); // the gateway was down a while; the crowd is still there
        h.Restart();
        h.Hold(Crowd(6), 60);
        Assert.Single(h.Events);
        Assert.Contains(h.Logger.Lines, l => l.Contains("gathering still open from the last run in zone(s) plaza", StringComparison.Ordinal));

        h.Hold(Crowd(1), 12);
        Assert.Equal(["crowd.gathering", "crowd.dispersed"], Types(h));
        Assert.Equal(seq, AnalyticsHarness.Data(h.Events.Last().Event).GetProperty("gatheringSeq").GetInt64());

        h.Restart(); // the dispersed gathering is gone from the file: nothing more, and a new crowd is a new gathering
        Assert.DoesNotContain("plaza", File.ReadAllText(CrowdStateFile.For(dir.Path, "cam-north")), StringComparison.Ordinal);
        h.Hold(Crowd(1), 30);
        Assert.Equal(2, h.Events.Count());
        h.Hold(Crowd(6), 12);
        Assert.Equal(["crowd.gathering", "crowd.dispersed", "crowd.gathering"], Types(h));
    }

    [Fact]
    public void A_restart_after_the_crowd_left_still_disperses_once_clearSeconds_into_the_new_run()
    {
        using var dir = new TempDirectory();
        var h = Start(dir.Path);
        h.Hold(Crowd(6), 12);
        var seq = Assert.Single(h.Events).Seq;

        h.Time.Advance(TimeSpan.FromHours(1));
        h.Restart();
        h.Hold(Crowd(0), 10); // clearSeconds count from this run's first low count
        Assert.Single(h.Events);
        h.Hold(Crowd(0), 3);
        var (dispersed, _) = h.Events.Last();
        Assert.Equal("crowd.dispersed", dispersed.Type);
        Assert.Equal(seq, AnalyticsHarness.Data(dispersed).GetProperty("gatheringSeq").GetInt64());
    }

    [Fact]
    public void A_restart_before_the_store_told_the_seq_disperses_once_naming_no_seq()
    {
        using var dir = new TempDirectory();
        var h = Start(dir.Path, storeAtOnce: false);
        h.Hold(Crowd(6), 12);
        Assert.Contains("\"gatheringSeq\": null", File.ReadAllText(CrowdStateFile.For(dir.Path, "cam-north")), StringComparison.Ordinal);
        h.Restart(); // the gathering's seq was never told to this process
        h.Hold(Crowd(6), 30);
        h.Hold(Crowd(1), 12);
        Assert.Equal(["crowd.gathering", "crowd.dispersed"], Types(h));
        Assert.Equal(JsonValueKind.Null, AnalyticsHarness.Data(h.Events.Last().Event).GetProperty("gatheringSeq").ValueKind);
    }

    [Theory]
    [InlineData("{\"v\":1,\"gatherings\":[{\"zone\":")] // torn by hand: the atomic write never leaves this
    [InlineData("{\"v\":7,\"gatherings\":[]}")]
    [InlineData("{\"v\":1,\"gatherings\":[{\"zone\":\"plaza\"}]}")]
    public void An_unreadable_state_file_is_kept_aside_and_the_camera_starts_with_no_open_gathering(string content)
    {
        using var dir = new TempDirectory();
        var path = CrowdStateFile.For(dir.Path, "cam-north");
        File.WriteAllText(path, content);
        var h = Start(dir.Path);

        var aside = Assert.Single(Directory.GetFiles(dir.Path, "crowd-cam-north.json.unreadable-*"));
        Assert.Equal(content, File.ReadAllText(aside));
        Assert.Contains(h.Logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("unreadable", StringComparison.Ordinal) && e.Message.Contains(aside, StringComparison.Ordinal));
        h.Hold(Crowd(1), 20);
        Assert.Empty(h.Events); // no dispersal of a gathering nobody can name
        h.Hold(Crowd(6), 12);
        Assert.Equal(["crowd.gathering"], Types(h));
        Assert.Contains("\"zone\": \"plaza\"", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_missing_state_file_is_a_first_start_and_a_directory_that_cannot_be_written_is_said_once()
    {
        using var dir = new TempDirectory();
        var blocked = Path.Combine(dir.Path, "not-a-directory");
        File.WriteAllText(blocked, "a file where the state directory should be");
        var h = Start(blocked);
        h.Hold(Crowd(6), 12);
        h.Hold(Crowd(1), 12);
        h.Hold(Crowd(6), 12);
        Assert.Equal(["crowd.gathering", "crowd.dispersed", "crowd.gathering"], Types(h));
        Assert.Single(h.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("cannot be written", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logger.Entries, e => e.Level == LogLevel.Error);
    }
}
