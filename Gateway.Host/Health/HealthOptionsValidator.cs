using System.Globalization;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Health;

/// <summary>
/// <c>health.intervalSeconds</c> between 5 s (more often would cost a pole's cellular link for
/// nothing) and an hour, and <c>web.metrics</c> one of its two modes. Run at start
/// (<c>ValidateOnStart</c>) and by <c>check-config</c>, with the same messages as the schema's.
/// </summary>
public sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options) => OptionsProblems.ToResult(Problems(options));

    public static IReadOnlyList<(string Path, string Message)> Problems(HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<(string Path, string Message)>();
        if (!(options.IntervalSeconds >= HealthOptions.MinIntervalSeconds && options.IntervalSeconds <= HealthOptions.MaxIntervalSeconds))
        {
            problems.Add(("health.intervalSeconds", string.Create(CultureInfo.InvariantCulture,
                $"{options.IntervalSeconds} is out of range: between {HealthOptions.MinIntervalSeconds} and {HealthOptions.MaxIntervalSeconds} seconds")));
        }
        return problems;
    }

    /// <summary>The <c>web.metrics</c> rule (checked with the rest of <c>web</c>).</summary>
    public static IEnumerable<(string Path, string Message)> MetricsModeProblems(string? mode) =>
        MetricsAccess.TryParseMode(mode, out _)
            ? []
            : [("web.metrics", $"unknown mode '{mode}': \"session\" (needs the web login) or \"localhost\" (loopback clients only, no login)")];
}
