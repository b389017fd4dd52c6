using Gateway.Drivers.Cameras;
using Gateway.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Drivers.Cameras;

public sealed class FfmpegStderrSummaryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
    private readonly CapturingLogger<FfmpegStderrSummaryTests> _logger = new();

    [Fact]
    public void A_flood_of_ffmpeg_lines_is_one_log_line_per_interval_with_the_count_held_back()
    {
        var summary = new FfmpegStderrSummary("cam-1", TimeSpan.FromMinutes(1), _time, _logger);
        for (var i = 1; i <= 100; i++)
        {
            summary.Add($"[rtsp @ 0x5581] RTP: missed {i} packets");
        }
        Assert.Equal(["camera cam-1 ffmpeg: [rtsp @ 0x5581] RTP: missed 1 packets (0 more stderr line(s) since the last report)"], _logger.Lines);

        summary.Add("");
        summary.Add("Conversion failed!");
        Assert.Equal("[rtsp @ 0x5581] RTP: missed 100 packets", summary.LastMeaningful);

        summary.Flush();
        Assert.Equal("camera cam-1 ffmpeg: [rtsp @ 0x5581] RTP: missed 100 packets (98 more stderr line(s) since the last report)", _logger.Lines[^1]);
        summary.Flush();
        Assert.Equal(2, _logger.Lines.Count);

        _time.Advance(TimeSpan.FromSeconds(59));
        summary.Add("  held back  ");
        Assert.Equal(2, _logger.Lines.Count);
        _time.Advance(TimeSpan.FromSeconds(61));
        summary.Add("Connection refused");
        Assert.Equal(3, _logger.Lines.Count);
        Assert.Equal("camera cam-1 ffmpeg: Connection refused (1 more stderr line(s) since the last report)", _logger.Lines[^1]);
    }
}
