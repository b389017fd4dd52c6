namespace Gateway.Inference.Runtime;

/// <summary>What the ONNX file says about itself (for logs and checks; the graph itself is in <see cref="OnnxSession.Inputs"/>/<see cref="OnnxSession.Outputs"/>).</summary>
public sealed record ModelMetadata(string ProducerName, string GraphName, string Domain, long Version, string Description, IReadOnlyDictionary<string, string> Custom)
{
    public override string ToString() =>
        $"{(ProducerName.Length > 0 ? ProducerName : "unknown producer")}, graph '{GraphName}', version {Version}{(Custom.Count > 0 ? $", {Custom.Count} custom metadata entries" : "")}";
}
