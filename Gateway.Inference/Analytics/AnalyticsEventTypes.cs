namespace Gateway.Inference.Analytics;

/// <summary>The event types the camera analysis raises (SPEC section 3; data in docs/contract.md).</summary>
public static class AnalyticsEventTypes
{
    public const string CrowdGathering = "crowd.gathering";
    public const string CrowdDispersed = "crowd.dispersed";
    public const string LitterDetected = "litter.detected";
    public const string LitterCleared = "litter.cleared";
}
