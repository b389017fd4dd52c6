namespace Gateway.Inference.Models;

/// <summary>
/// What a detection model expects and produces (SPEC section 2.2): the JSON file beside the
/// <c>.onnx</c>, read by <see cref="ModelManifestReader"/>; see README.md for the format.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The manifest file this was read from ("" when built in code).</summary>
    public string ManifestPath { get; init; } = "";

    /// <summary>The .onnx file, absolute (resolved against the manifest's directory).</summary>
    public required string ModelPath { get; init; }

    public string Description { get; init; } = "";

    public required string InputName { get; init; }

    public required int InputWidth { get; init; }

    public required int InputHeight { get; init; }

    public TensorLayout InputLayout { get; init; } = TensorLayout.Nchw;

    public PixelScale Scale { get; init; } = PixelScale.ZeroToOne;

    public ResizeMode Resize { get; init; } = ResizeMode.Letterbox;

    public required string OutputName { get; init; }

    public required OutputLayout OutputLayout { get; init; }

    /// <summary>Class names by class index.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    public float ScoreThreshold { get; init; } = 0.25f;

    public float IouThreshold { get; init; } = 0.45f;

    public NmsMode Nms { get; init; } = NmsMode.PerClass;

    /// <summary>Labels to report; empty = every class.</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>At most this many detections per frame, best first.</summary>
    public int MaxDetections { get; init; } = 100;

    public string LabelOf(int classId) => (uint)classId < (uint)Labels.Count ? Labels[classId] : $"class{classId}";
}
