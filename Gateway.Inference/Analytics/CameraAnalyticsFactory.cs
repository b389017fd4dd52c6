using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Inference.Analytics;

internal sealed class CameraAnalyticsFactory(IOptions<CameraAnalyticsOptions> options, TimeProvider time, ILoggerFactory loggers) : ICameraAnalyticsFactory
{
    private readonly ILogger _logger = loggers.CreateLogger("Gateway.Inference.Analytics");

    public ICameraAnalytics Create(CameraOptions camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var directory = options.Value.StateDirectory;
        var litter = camera.Litter is null ? null : new LitterStateFile(LitterStateFile.For(directory, camera.Id), time, _logger);
        var crowd = camera.Crowd is null ? null : new CrowdStateFile(CrowdStateFile.For(directory, camera.Id), time, _logger);
        return new CameraAnalytics(camera, litter, crowd, time, _logger);
    }
}
