using Gateway.Inference.Runtime;

namespace Gateway.Inference.Models;

/// <summary>
/// Checks a model's real inputs and outputs against its manifest (SPEC section 2.2: a model that
/// does not match is refused at load). Every message names the tensor, what the manifest says
/// and what the model declares.
/// </summary>
public static class ModelContract
{
    public static void Check(ModelManifest manifest, IReadOnlyList<TensorInfo> inputs, IReadOnlyList<TensorInfo> outputs)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        var where = manifest.ManifestPath.Length > 0 ? manifest.ManifestPath : manifest.ModelPath;
        ModelManifestException Mismatch(string problem) => new($"{where}: model {Path.GetFileName(manifest.ModelPath)} does not match its manifest: {problem}");

        var input = inputs.FirstOrDefault(i => i.Name == manifest.InputName)
            ?? throw Mismatch($"input.name is '{manifest.InputName}' but the model's inputs are {string.Join(", ", inputs)}");
        if (inputs.Count != 1)
        {
            throw Mismatch($"the model has {inputs.Count} inputs ({string.Join(", ", inputs)}); a detector takes one image");
        }
        if (input.ElementType != TensorElementType.Float)
        {
            throw Mismatch($"input '{input.Name}' is {input.ElementType}, not float");
        }
        if (input.Shape.Count != 4)
        {
            throw Mismatch($"input '{input.Name}' has shape [{string.Join(",", input.Shape)}]; an image input has rank 4");
        }
        var (c, h, w) = manifest.InputLayout == TensorLayout.Nchw ? (input.Shape[1], input.Shape[2], input.Shape[3]) : (input.Shape[3], input.Shape[1], input.Shape[2]);
        var layout = manifest.InputLayout == TensorLayout.Nchw ? "NCHW" : "NHWC";
        if (input.Shape[0] > 1 || c is > 0 and not 3 || (h > 0 && h != manifest.InputHeight) || (w > 0 && w != manifest.InputWidth))
        {
            var expected = manifest.InputLayout == TensorLayout.Nchw ? $"[1,3,{manifest.InputHeight},{manifest.InputWidth}]" : $"[1,{manifest.InputHeight},{manifest.InputWidth},3]";
            throw Mismatch($"input '{input.Name}' has shape [{string.Join(",", input.Shape)}]; the manifest's {layout} {manifest.InputWidth}x{manifest.InputHeight} RGB input means {expected}");
        }

        var output = outputs.FirstOrDefault(o => o.Name == manifest.OutputName)
            ?? throw Mismatch($"output.name is '{manifest.OutputName}' but the model's outputs are {string.Join(", ", outputs)}");
        if (output.ElementType != TensorElementType.Float)
        {
            throw Mismatch($"output '{output.Name}' is {output.ElementType}, not float");
        }
        var shape = output.Shape;
        var text = $"[{string.Join(",", shape)}]";
        if (manifest.OutputLayout == OutputLayout.Boxes)
        {
            if (shape.Count != 3 || shape[0] > 1 || (shape[2] > 0 && shape[2] != 6))
            {
                throw Mismatch($"output '{output.Name}' has shape {text}; output.layout 'boxes' means [1,N,6] (x1,y1,x2,y2,score,class)");
            }
        }
        else
        {
            if (shape.Count != 3 || shape[0] > 1)
            {
                throw Mismatch($"output '{output.Name}' has shape {text}; output.layout 'yolo' means [1,4+C,N]");
            }
            if (shape[1] > 0 && shape[1] != 4 + manifest.Labels.Count)
            {
                throw Mismatch($"output '{output.Name}' has shape {text}: {shape[1] - 4} classes, but the manifest lists {manifest.Labels.Count} labels (output.layout 'yolo' means [1,4+C,N])");
            }
        }
    }
}
