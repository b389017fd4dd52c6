using Gateway.Drivers.Cameras;

namespace Gateway.Tests.Drivers.Cameras;

public sealed class FfmpegArgumentsTests
{
    private static string Line(string source, double fps = 1, bool loop = true) =>
        string.Join(' ', FfmpegArguments.Build(new CameraSourceOptions { Id = "c", Source = source, Fps = fps, Width = 320, Height = 240, LoopFile = loop }));

    [Theory]
    [InlineData("rtsp://10.0.0.5:554/stream1", "-rtsp_transport tcp -i rtsp://10.0.0.5:554/stream1 ")]
    [InlineData("v4l2:///dev/video2", "-f v4l2 -i /dev/video2 ")]
    [InlineData("videos/street.mp4", "-re -stream_loop -1 -i videos/street.mp4 ")]
    public void Each_kind_of_source_gets_its_input_options_before_the_input(string source, string input)
    {
        var line = Line(source);

        Assert.StartsWith("-nostdin -hide_banner -nostats -loglevel warning ", line, StringComparison.Ordinal);
        Assert.Contains(input, line, StringComparison.Ordinal);
        Assert.EndsWith("-an -sn -dn -vf fps=1,scale=320:240 -pix_fmt rgb24 -f rawvideo pipe:1", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_must_not_loop_is_still_played_at_real_time_at_a_fractional_rate()
    {
        var line = Line("a.mp4", fps: 0.5, loop: false);

        Assert.Contains("-re -i a.mp4 ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("-stream_loop", line, StringComparison.Ordinal);
        Assert.Contains("-vf fps=0.5,scale=320:240 ", line, StringComparison.Ordinal);
    }
}
