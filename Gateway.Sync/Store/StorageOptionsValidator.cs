using Gateway.Configuration;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Gateway.Sync.Store;

/// <summary>
/// The <c>storage</c> bounds, for options built in code as well as from a file (where the schema
/// has already enforced them): a store path, a budget, a known durability and a bounded clock hold.
/// Run at start (<c>ValidateOnStart</c>) and by the Host's <c>check-config</c> through <see cref="Problems"/>.
/// Whether the path can be opened is <see cref="StoreLocation"/>'s question, asked when the store opens.
/// </summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) => OptionsProblems.ToResult(Problems(options));

    /// <summary>Every problem, with the configuration path of the key at fault.</summary>
    public static IReadOnlyList<(string Path, string Message)> Problems(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<(string Path, string Message)>();
        if (string.IsNullOrEmpty(options.Path))
        {
            problems.Add(("storage.path", "required: the file of the durable store"));
        }
        if (options.MaxMegabytes is not (>= StoreSettings.MinimumMegabytes and <= 1048576))
        {
            problems.Add(("storage.maxMegabytes", string.Create(CultureInfo.InvariantCulture, $"must be from {StoreSettings.MinimumMegabytes} to 1048576, got {options.MaxMegabytes}")));
        }
        if (options.Durability?.ToLowerInvariant() is not ("fsync" or "relaxed"))
        {
            problems.Add(("storage.durability", $"unknown durability '{options.Durability}' (expected one of: fsync, relaxed)"));
        }
        if (options.ClockHoldSeconds is not (>= 0 and <= StorageOptions.MaxClockHoldSeconds))
        {
            problems.Add(("storage.clockHoldSeconds", string.Create(CultureInfo.InvariantCulture, $"must be from 0 to {StorageOptions.MaxClockHoldSeconds}, got {options.ClockHoldSeconds}")));
        }
        if (options.AckFlushSeconds is not (> 0 and <= 3600))
        {
            problems.Add(("storage.ackFlushSeconds", string.Create(CultureInfo.InvariantCulture, $"must be above 0 and at most 3600, got {options.AckFlushSeconds}")));
        }
        return problems;
    }
}
