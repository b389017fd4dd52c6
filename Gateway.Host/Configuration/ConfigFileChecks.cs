using Gateway.Inference;
using Gateway.Sync;

namespace Gateway.Host.Configuration;

/// <summary>
/// The checks that need the files a configuration names, found relative to the configuration file
/// (<see cref="ConfigFileResolver"/>), which the components cannot know: certificates (an error),
/// model manifests and video files (warnings: a missing one stops only the cameras that use it).
/// </summary>
internal sealed class ConfigFileChecks(ConfigFileResolver files, List<ConfigError> errors, List<ConfigError> warnings)
{
    public void Mqtt(MqttOptions mqtt)
    {
        var anyTls = mqtt.Brokers.Any(b => b.StartsWith("mqtts://", StringComparison.Ordinal));
        foreach (var (name, file) in new[] { ("caFile", mqtt.CaFile), ("certFile", mqtt.CertFile), ("keyFile", mqtt.KeyFile) })
        {
            if (file is null)
            {
                continue;
            }
            if (files.ResolveInput(file) is null)
            {
                errors.Add(new ConfigError($"mqtt.{name}", $"file '{file}' not found"));
            }
            if (!anyTls)
            {
                warnings.Add(new ConfigError($"mqtt.{name}", "has no effect: no broker uses mqtts://"));
            }
        }
    }

    public void Models(IList<ModelOptions> models)
    {
        for (var i = 0; i < models.Count; i++)
        {
            if (files.ResolveInput(models[i].Manifest) is null)
            {
                warnings.Add(new ConfigError($"models[{i}].manifest", $"manifest '{models[i].Manifest}' not found (tools/setup.sh fetches the person model); cameras using it will not run"));
            }
        }
    }

    public void CameraSources(IList<CameraOptions> cameras)
    {
        for (var i = 0; i < cameras.Count; i++)
        {
            var source = cameras[i].Source;
            if (!source.Contains("://", StringComparison.Ordinal) && files.ResolveInput(source) is null)
            {
                warnings.Add(new ConfigError($"cameras[{i}].source", $"video file '{source}' not found; the camera will report camera.lost until it appears"));
            }
        }
    }
}
