using System.Globalization;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Sync.Time;

/// <summary>
/// The <c>time</c> section's own rules: NTP servers that parse as a host (and port), a poll interval
/// in bounds. Run at start (<c>ValidateOnStart</c>) and by the Host's <c>check-config</c> through <see cref="Problems"/>.
/// </summary>
public sealed class TimeOptionsValidator : IValidateOptions<TimeOptions>
{
    public ValidateOptionsResult Validate(string? name, TimeOptions options) => OptionsProblems.ToResult(Problems(options));

    /// <summary>Every problem, with the configuration path of the key at fault (e.g. <c>time.ntpServers[1]</c>).</summary>
    public static IReadOnlyList<(string Path, string Message)> Problems(TimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<(string Path, string Message)>();
        for (var i = 0; i < options.NtpServers.Count; i++)
        {
            if (!NtpServer.TryParse(options.NtpServers[i], out _, out var problem))
            {
                problems.Add(($"time.ntpServers[{i}]", $"'{options.NtpServers[i]}' {problem}"));
            }
        }
        if (options.NtpPollSeconds is not (>= 16 and <= 86400))
        {
            problems.Add(("time.ntpPollSeconds", string.Create(CultureInfo.InvariantCulture, $"must be from 16 to 86400, got {options.NtpPollSeconds}")));
        }
        return problems;
    }
}
