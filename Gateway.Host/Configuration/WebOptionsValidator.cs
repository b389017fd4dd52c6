using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Configuration;

/// <summary>
/// The <c>web</c> rules a JSON Schema cannot express: listening URLs the server can bind, a
/// certificate with its key. Run at start (<c>ValidateOnStart</c>) and by <c>check-config</c>.
/// </summary>
public sealed class WebOptionsValidator : IValidateOptions<WebOptions>
{
    public ValidateOptionsResult Validate(string? name, WebOptions options) => OptionsProblems.ToResult(Problems(options));

    /// <summary>Every problem, with the configuration path of the key at fault.</summary>
    public static IReadOnlyList<(string Path, string Message)> Problems(WebOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<(string Path, string Message)>();
        for (var i = 0; i < options.Urls.Count; i++)
        {
            var text = options.Urls[i];
            if (!HostPortUri.TryParse(text, ["http", "https"], out _, out var why))
            {
                problems.Add(($"web.urls[{i}]", $"invalid URL '{text}': {why}"));
            }
        }
        if ((options.CertFile is null) != (options.KeyFile is null))
        {
            problems.Add(("web.certFile", "certFile and keyFile must be given together"));
        }
        problems.AddRange(Health.HealthOptionsValidator.MetricsModeProblems(options.Metrics));
        return problems;
    }
}
