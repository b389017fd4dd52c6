using Gateway.Inference;
using Gateway.Inference.Analytics;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Pipeline;

/// <summary>
/// Cameras need an analysis to run: with cameras configured and no <see cref="ICameraAnalyticsFactory"/>
/// in this build, the gateway refuses to start (one line, exit 1) rather than read frames for nothing.
/// </summary>
internal sealed class CameraAnalyticsCheck(IEnumerable<ICameraAnalyticsFactory> factories) : IValidateOptions<CamerasOptions>
{
    public ValidateOptionsResult Validate(string? name, CamerasOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Cameras.Count > 0 && !factories.Any()
            ? ValidateOptionsResult.Fail($"cameras: {options.Cameras.Count} camera(s) configured, but this build has no camera analytics (no ICameraAnalyticsFactory registered); remove the cameras section or use a build with crowd/litter analytics")
            : ValidateOptionsResult.Success;
    }
}
