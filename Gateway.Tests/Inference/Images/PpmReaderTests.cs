using System.Text;
using Gateway.Inference.Images;
using Gateway.Tests.Support;

namespace Gateway.Tests.Inference.Images;

public sealed class PpmReaderTests
{
    [Fact]
    public void Parses_header_with_comments_and_pixels()
    {
        byte[] data = [.. Encoding.ASCII.GetBytes("P6\n# made by hand\n2 1\n255\n"), 1, 2, 3, 4, 5, 6];
        Assert.True(PpmReader.TryParse(data, out var image, out _));
        Assert.Equal((2, 1), (image!.Width, image.Height));
        Assert.Equal([1, 2, 3, 4, 5, 6], image.Pixels);
    }

    [Theory]
    [InlineData("P5\n2 1\n255\n", "not a binary PPM (P6)")]
    [InlineData("P6\n2 1\n65535\n", "PPM maxval 65535 is not 255")]
    [InlineData("P6\n2 x\n255\n", "bad PPM header")]
    [InlineData("P6\n2 2\n255\n", "PPM of 2x2 needs 12 pixel bytes; has 6")]
    public void Refuses_what_it_cannot_read(string header, string error)
    {
        byte[] data = [.. Encoding.ASCII.GetBytes(header), 1, 2, 3, 4, 5, 6];
        Assert.False(PpmReader.TryParse(data, out _, out var message));
        Assert.Equal(error, message);
    }

    [Fact]
    public async Task Ffmpeg_decodes_a_png_it_encoded_to_the_same_pixels()
    {
        var ffmpeg = ExternalTool.Require("ffmpeg");
        using var dir = new TempDirectory();
        // A 4x2 image of exact colours written as raw RGB, encoded losslessly to PNG by ffmpeg.
        byte[] rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 200, 210, 220];
        await File.WriteAllBytesAsync(dir.File("in.rgb"), rgb);
        var encode = ExternalTool.Run(ffmpeg, ["-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "4x2", "-i", dir.File("in.rgb"), dir.File("out.png")], TimeSpan.FromSeconds(30));
        Assert.Equal(0, encode.ExitCode);

        var image = await FfmpegImageDecoder.DecodeAsync(dir.File("out.png"), CancellationToken.None);
        Assert.Equal((4, 2), (image.Width, image.Height));
        Assert.Equal(rgb, image.Pixels);
    }

    [Fact]
    public async Task A_file_that_is_not_a_picture_is_an_error_naming_it()
    {
        ExternalTool.Require("ffmpeg");
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("notes.jpg"), "not a picture");
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => FfmpegImageDecoder.DecodeAsync(dir.File("notes.jpg"), CancellationToken.None));
        Assert.StartsWith(dir.File("notes.jpg") + ": ffmpeg cannot decode it", e.Message, StringComparison.Ordinal);
    }
}
