using System.Text.Json;
using Gateway.Inference.Detectors;
using Gateway.Inference.Images;
using Gateway.Inference.Models;
using Gateway.Inference.Runtime;

namespace Gateway.Inference.Cli;

/// <summary>
/// <c>detect --model MANIFEST IMAGE…</c> (SPEC section 5): runs a model on picture files and
/// prints one JSON line per image, <c>{"image":…,"ms":…,"detections":[{"label":…,"score":…,"box":[x1,y1,x2,y2]}]}</c>,
/// boxes in the image's pixels; <c>ms</c> is pre-processing + run + post-processing. An image
/// that cannot be decoded gives <c>{"image":…,"error":…}</c> and exit code 1; a model that
/// cannot be loaded gives a message on the error writer and exit code 1.
/// </summary>
public static class DetectCommand
{
    public const int Ok = 0;
    public const int Failure = 1;

    public static async Task<int> RunAsync(string manifestPath, IReadOnlyList<string> images, TextWriter output, TextWriter error, InferenceOptions? options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(time);
        options ??= new InferenceOptions();
        DetectionModel model;
        try
        {
            model = DetectionModel.Load(manifestPath, new OnnxSessionOptions { IntraOpThreads = options.IntraOpThreads, LibraryPath = options.OnnxRuntimePath });
        }
        catch (Exception e) when (e is ModelManifestException or OnnxRuntimeException or DllNotFoundException or NotSupportedException)
        {
            await error.WriteLineAsync($"detect: {e.Message}").ConfigureAwait(false);
            return Failure;
        }
        using (model)
        using (var detector = model.CreateDetector())
        {
            var result = Ok;
            foreach (var path in images)
            {
                string line;
                try
                {
                    var image = await FfmpegImageDecoder.DecodeAsync(path, cancellationToken).ConfigureAwait(false);
                    var started = time.GetTimestamp();
                    var detections = detector.Detect(image.Pixels, image.Width, image.Height);
                    var elapsed = time.GetElapsedTime(started);
                    line = Format(path, elapsed, detections, model.Manifest);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException)
                {
                    await error.WriteLineAsync($"detect: {e.Message}").ConfigureAwait(false);
                    line = FormatError(path, e.Message);
                    result = Failure;
                }
                await output.WriteLineAsync(line).ConfigureAwait(false);
            }
            return result;
        }
    }

    internal static string Format(string image, TimeSpan elapsed, ReadOnlySpan<Postprocessing.Detection> detections, ModelManifest manifest)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("image", image);
            json.WriteNumber("ms", Math.Round(elapsed.TotalMilliseconds, 1));
            json.WriteStartArray("detections");
            foreach (var d in detections)
            {
                json.WriteStartObject();
                json.WriteString("label", manifest.LabelOf(d.ClassId));
                json.WriteNumber("score", Math.Round(d.Score, 3));
                json.WriteStartArray("box");
                json.WriteNumberValue(Math.Round(d.X1, 1));
                json.WriteNumberValue(Math.Round(d.Y1, 1));
                json.WriteNumberValue(Math.Round(d.X2, 1));
                json.WriteNumberValue(Math.Round(d.Y2, 1));
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string FormatError(string image, string message) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["image"] = image, ["error"] = message });
}
