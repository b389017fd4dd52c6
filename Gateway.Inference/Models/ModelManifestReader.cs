using System.Globalization;
using System.Text.Json;

namespace Gateway.Inference.Models;

/// <summary>Reads a model manifest (README.md in this folder), naming the field of any error.</summary>
public static class ModelManifestReader
{
    public static ModelManifest ReadFile(string manifestPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        string text;
        try
        {
            text = File.ReadAllText(manifestPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelManifestException($"{manifestPath}: cannot read the model manifest: {e.Message}", e);
        }
        return Parse(text, manifestPath);
    }

    /// <summary>Parses manifest JSON; a relative <c>model</c> path is resolved against <paramref name="manifestPath"/>'s directory.</summary>
    public static ModelManifest Parse(string json, string manifestPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ModelManifestException($"{manifestPath}: not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var reader = new Fields(manifestPath);
            var root = document.RootElement;
            reader.RequireObject(root, "");
            var input = reader.Object(root, "input");
            var output = reader.Object(root, "output");
            var labels = reader.Strings(root, "labels", required: true);
            if (labels.Count == 0)
            {
                throw reader.Error("labels", "must list at least one class name");
            }
            var classes = reader.Strings(root, "classes", required: false);
            foreach (var c in classes.Where(c => !labels.Contains(c, StringComparer.Ordinal)))
            {
                throw reader.Error("classes", $"'{c}' is not one of the labels");
            }
            var model = reader.String(root, "model", "model.onnx");
            var directory = Path.GetDirectoryName(Path.GetFullPath(manifestPath)) ?? ".";
            return new ModelManifest
            {
                ManifestPath = manifestPath,
                ModelPath = Path.GetFullPath(Path.Combine(directory, model)),
                Description = reader.String(root, "description", ""),
                InputName = reader.RequiredString(input, "input.name"),
                InputWidth = reader.Int(input, "input.width", 1, 8192),
                InputHeight = reader.Int(input, "input.height", 1, 8192),
                InputLayout = reader.Choice(input, "input.layout", TensorLayout.Nchw, ("NCHW", TensorLayout.Nchw), ("NHWC", TensorLayout.Nhwc)),
                Scale = reader.Choice(input, "input.scale", PixelScale.ZeroToOne, ("0-1", PixelScale.ZeroToOne), ("0-255", PixelScale.ZeroTo255)),
                Resize = reader.Choice(input, "input.resize", ResizeMode.Letterbox, ("letterbox", ResizeMode.Letterbox), ("stretch", ResizeMode.Stretch)),
                OutputName = reader.RequiredString(output, "output.name"),
                OutputLayout = reader.Choice(output, "output.layout", (OutputLayout?)null, ("yolo", OutputLayout.Yolo), ("boxes", OutputLayout.Boxes)),
                Labels = labels,
                Classes = classes,
                ScoreThreshold = reader.Fraction(root, "scoreThreshold", 0.25f),
                IouThreshold = reader.Fraction(root, "iouThreshold", 0.45f),
                Nms = reader.Choice(root, "nms", NmsMode.PerClass, ("per-class", NmsMode.PerClass), ("class-agnostic", NmsMode.ClassAgnostic)),
                MaxDetections = root.TryGetProperty("maxDetections", out _) ? reader.Int(root, "maxDetections", 1, 10000) : 100,
            };
        }
    }

    /// <summary>Field access that reports errors as <c>FILE: path.to.field: problem</c>.</summary>
    private sealed class Fields(string file)
    {
        public ModelManifestException Error(string path, string problem) => new($"{file}: {path}: {problem}");

        public void RequireObject(JsonElement e, string path)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Error(path.Length == 0 ? "(root)" : path, "must be an object");
            }
        }

        public JsonElement Object(JsonElement parent, string name)
        {
            if (!parent.TryGetProperty(name, out var e))
            {
                throw Error(name, "is required");
            }
            RequireObject(e, name);
            return e;
        }

        private static string Leaf(string path) => path[(path.LastIndexOf('.') + 1)..];

        public string RequiredString(JsonElement parent, string path)
        {
            if (!parent.TryGetProperty(Leaf(path), out var e))
            {
                throw Error(path, "is required");
            }
            if (e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(e.GetString()))
            {
                throw Error(path, "must be a non-empty string");
            }
            return e.GetString()!;
        }

        public string String(JsonElement parent, string path, string fallback) =>
            parent.TryGetProperty(Leaf(path), out _) ? RequiredString(parent, path) : fallback;

        public int Int(JsonElement parent, string path, int min, int max)
        {
            if (!parent.TryGetProperty(Leaf(path), out var e))
            {
                throw Error(path, "is required");
            }
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var v) || v < min || v > max)
            {
                throw Error(path, $"must be an integer from {min} to {max}");
            }
            return v;
        }

        public float Fraction(JsonElement parent, string path, float fallback)
        {
            if (!parent.TryGetProperty(Leaf(path), out var e))
            {
                return fallback;
            }
            if (e.ValueKind != JsonValueKind.Number || e.GetDouble() is < 0 or > 1)
            {
                throw Error(path, "must be a number from 0 to 1");
            }
            return (float)e.GetDouble();
        }

        public T Choice<T>(JsonElement parent, string path, T? fallback, params (string Text, T Value)[] choices)
            where T : struct
        {
            if (!parent.TryGetProperty(Leaf(path), out var e))
            {
                return fallback ?? throw Error(path, "is required");
            }
            var text = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            foreach (var (t, v) in choices)
            {
                if (string.Equals(t, text, StringComparison.OrdinalIgnoreCase))
                {
                    return v;
                }
            }
            throw Error(path, $"{(text is null ? e.GetRawText() : $"'{text}'")} is not one of {string.Join(", ", choices.Select(c => c.Text))}");
        }

        public IReadOnlyList<string> Strings(JsonElement parent, string path, bool required)
        {
            if (!parent.TryGetProperty(path, out var e))
            {
                return required ? throw Error(path, "is required") : [];
            }
            if (e.ValueKind != JsonValueKind.Array)
            {
                throw Error(path, "must be an array of strings");
            }
            var list = new List<string>();
            var i = 0;
            foreach (var item in e.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(item.GetString()))
                {
                    throw Error(string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), "must be a non-empty string");
                }
                list.Add(item.GetString()!);
                i++;
            }
            return list;
        }
    }
}
