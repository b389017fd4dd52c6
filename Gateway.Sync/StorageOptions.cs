namespace Gateway.Sync;

/// <summary>The <c>storage</c> section: the node's durable store (SPEC section 4).</summary>
public sealed class StorageOptions
{
    public string Path { get; set; } = "data/buffer.db";

    /// <summary>Size budget of the store on disk; oldest telemetry is dropped (and reported) beyond it.</summary>
    public double MaxMegabytes { get; set; } = 256;
}
