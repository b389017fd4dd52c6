using Microsoft.Extensions.Options;

namespace Gateway.Inference.Analytics;

/// <summary>What the camera analysis needs from the Host beside each camera's own options.</summary>
public sealed class CameraAnalyticsOptions
{
    /// <summary>Where each camera's open litter items survive restarts (<c>litter-{camera}.json</c>); the Host puts it beside the store.</summary>
    public string StateDirectory { get; set; } = "";
}

internal sealed class CameraAnalyticsOptionsValidator : IValidateOptions<CameraAnalyticsOptions>
{
    public ValidateOptionsResult Validate(string? name, CameraAnalyticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.StateDirectory)
            ? ValidateOptionsResult.Fail("cameras: the analysis needs a state directory for open litter items")
            : ValidateOptionsResult.Success;
    }
}
