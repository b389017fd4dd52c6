using Gateway.Inference.Detectors;
using Gateway.Inference.Images;
using Gateway.Inference.Postprocessing;
using Gateway.Tests.Support;

namespace Gateway.Tests.Inference.Detectors;

/// <summary>The real pretrained detector that tools/setup.sh converts (models/person), on a real photo.</summary>
public sealed class PersonModelTests
{
    /// <summary>
    /// The person in Debian darknet's person.jpg (640x424), recorded once by eye from a zoomed,
    /// gridded crop of the picture: hat top to boot soles, jacket back to glove.
    /// </summary>
    public static readonly Detection ReferencePerson = new(0, 1, 192, 99, 275, 373);

    public const string PersonJpg = "/usr/share/darknet/data/person.jpg";

    public static string RequirePersonModel()
    {
        var manifest = Repo.PathOf("models", "person", "manifest.json");
        if (!File.Exists(manifest) || !File.Exists(Repo.PathOf("models", "person", "model.onnx")))
        {
            throw new InvalidOperationException($"the converted person model is missing ({manifest}); run tools/setup.sh");
        }
        if (!File.Exists(PersonJpg))
        {
            throw new InvalidOperationException($"{PersonJpg} is missing (Debian package darknet); run tools/setup.sh");
        }
        ExternalTool.Require("ffmpeg");
        return manifest;
    }

    [Fact]
    public async Task Finds_the_person_in_darknets_person_jpg()
    {
        using var model = DetectionModel.Load(RequirePersonModel());
        using var detector = model.CreateDetector();
        var image = await FfmpegImageDecoder.DecodeAsync(PersonJpg, CancellationToken.None);
        Assert.Equal((640, 424), (image.Width, image.Height));

        var persons = detector.Detect(image.Pixels, image.Width, image.Height).ToArray().Where(d => model.Manifest.LabelOf(d.ClassId) == "person").ToArray();
        var person = Assert.Single(persons);
        Assert.True(person.IoU(ReferencePerson) >= 0.7f, $"IoU {person.IoU(ReferencePerson):F3} of {person} against the reference {ReferencePerson}");
        Assert.InRange(person.Score, 0.5f, 1f);
    }
}
