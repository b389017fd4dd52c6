using Microsoft.Extensions.Options;

namespace Gateway.Configuration;

/// <summary>
/// A component validator's problems as the options system's result: each failure reads
/// <c>path: message</c> (the key's configuration path, as <c>check-config</c> prints it), so the
/// host's start failure names the same key.
/// </summary>
internal static class OptionsProblems
{
    public static ValidateOptionsResult ToResult(IReadOnlyList<(string Path, string Message)> problems) =>
        problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => p.Path.Length == 0 ? p.Message : $"{p.Path}: {p.Message}"));
}
