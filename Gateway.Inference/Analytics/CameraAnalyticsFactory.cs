using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Inference.Analytics;

internal sealed class CameraAnalyticsFactory(IOptions<CameraAnalyticsOptions> options, TimeProvider time, ILoggerFactory loggers) : ICameraAnalyticsFactory
{
    private readonly ILogger _logger = loggers.CreateLogger("Gateway.Inference.Analytics");

    public ICameraAnalytics Create(CameraOptions camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var state = camera.Litter is null ? null : new LitterStateFile(LitterStateFile.For(options.Value.StateDirectory, camera.Id), time, _logger);
        return new CameraAnalytics(camera, state, time, _logger);
    }
}
