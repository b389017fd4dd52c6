namespace Gateway.Sync.Uplink;

/// <summary>
/// Builds the <c>{prefix}/{node}/health</c> payload (SPEC section 3). The Host implements it — it
/// knows the devices, cameras and the process — so that Sync only publishes bytes.
/// </summary>
public interface IHealthPayloadSource
{
    /// <summary>The figures as they are now, as JSON.</summary>
    ReadOnlyMemory<byte> Build();
}
