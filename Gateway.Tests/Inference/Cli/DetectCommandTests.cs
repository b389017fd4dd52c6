using System.Text.Json;
using Gateway.Host.Cli;
using Gateway.Tests.Inference.Detectors;
using Gateway.Tests.Support;

namespace Gateway.Tests.Inference.Cli;

/// <summary><c>edge-gateway detect --model MANIFEST IMAGE…</c> through the real command line (SPEC section 5).</summary>
public sealed class DetectCommandTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await GatewayCli.RunAsync(args, new CliConsole(new StringReader(""), output, error));
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Prints_one_json_line_per_image_with_labelled_boxes_in_image_pixels()
    {
        var manifest = PersonModelTests.RequirePersonModel();
        using var dir = new TempDirectory();
        var broken = dir.File("broken.jpg");
        await File.WriteAllTextAsync(broken, "no picture here");

        var (code, output, _) = await RunAsync("detect", "--model", manifest, PersonModelTests.PersonJpg, broken);

        Assert.Equal(1, code); // one image failed
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var root = first.RootElement;
        Assert.Equal(PersonModelTests.PersonJpg, root.GetProperty("image").GetString());
        Assert.True(root.GetProperty("ms").GetDouble() > 0);
        var person = root.GetProperty("detections").EnumerateArray().Single(d => d.GetProperty("label").GetString() == "person");
        var box = person.GetProperty("box").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        var found = new Gateway.Inference.Postprocessing.Detection(0, 1, box[0], box[1], box[2], box[3]);
        Assert.True(found.IoU(PersonModelTests.ReferencePerson) >= 0.7f, lines[0]);

        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(broken, second.RootElement.GetProperty("image").GetString());
        Assert.Contains("ffmpeg cannot decode it", second.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_manifest_is_a_failure_with_a_message_and_usage_errors_are_code_2()
    {
        var (code, output, error) = await RunAsync("detect", "--model", "/nonexistent/manifest.json", "a.jpg");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("/nonexistent/manifest.json: cannot read the model manifest", error, StringComparison.Ordinal);

        Assert.Equal(2, (await RunAsync("detect", "a.jpg")).Code);
        Assert.Equal(2, (await RunAsync("detect", "--model", "m.json")).Code);
        Assert.Equal(2, (await RunAsync("detect", "--model", "m.json", "--config", "c.json", "a.jpg")).Code);
    }
}
