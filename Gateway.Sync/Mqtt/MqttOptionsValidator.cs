using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Sync.Mqtt;

/// <summary>
/// The <c>mqtt</c> rules a JSON Schema cannot express: broker URIs the client can dial, a client
/// certificate with its key, a password with a username. Run at start (<c>ValidateOnStart</c>) and by
/// the Host's <c>check-config</c> through <see cref="Problems"/>. Whether the certificate files exist
/// is the Host's check: it resolves them against the configuration file's directory.
/// </summary>
public sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options) => OptionsProblems.ToResult(Problems(options));

    /// <summary>Every problem, with the configuration path of the key at fault.</summary>
    public static IReadOnlyList<(string Path, string Message)> Problems(MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<(string Path, string Message)>();
        if (options.Brokers.Count == 0)
        {
            problems.Add(("mqtt.brokers", "must not be empty"));
        }
        for (var i = 0; i < options.Brokers.Count; i++)
        {
            var text = options.Brokers[i];
            if (!HostPortUri.TryParse(text, ["mqtt", "mqtts"], out _, out var why))
            {
                problems.Add(($"mqtt.brokers[{i}]", $"invalid broker URI '{text}': {why}"));
            }
        }
        if ((options.CertFile is null) != (options.KeyFile is null))
        {
            problems.Add((options.CertFile is null ? "mqtt.certFile" : "mqtt.keyFile", "certFile and keyFile must be given together (client certificate and its private key)"));
        }
        if (options.Password is not null && options.Username is null)
        {
            problems.Add(("mqtt.password", "a password needs a username"));
        }
        return problems;
    }
}
