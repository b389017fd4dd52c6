namespace Gateway.Host.Health;

/// <summary>The <c>health</c> section: how often the node publishes its health figures (SPEC section 3).</summary>
public sealed class HealthOptions
{
    public const double MinIntervalSeconds = 5;
    public const double MaxIntervalSeconds = 3600;

    public double IntervalSeconds { get; set; } = 60;
}
