using Microsoft.Extensions.Options;

namespace Gateway.Sync.Time;

/// <summary>The <c>time</c> section's own rules, checked at start (and by <c>check-config</c>).</summary>
public sealed class TimeOptionsValidator : IValidateOptions<TimeOptions>
{
    public ValidateOptionsResult Validate(string? name, TimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Errors(options).Select(e => $"{e.Path}: {e.Message}").ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Each problem with the path of the key it concerns (e.g. <c>time.ntpServers[1]</c>).</summary>
    public static IEnumerable<(string Path, string Message)> Errors(TimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        for (var i = 0; i < options.NtpServers.Count; i++)
        {
            if (!NtpServer.TryParse(options.NtpServers[i], out _, out var problem))
            {
                yield return ($"time.ntpServers[{i}]", $"'{options.NtpServers[i]}' {problem}");
            }
        }
        if (options.NtpPollSeconds is < 16 or > 86400 || double.IsNaN(options.NtpPollSeconds))
        {
            yield return ("time.ntpPollSeconds", "must be between 16 and 86400 seconds");
        }
    }
}
