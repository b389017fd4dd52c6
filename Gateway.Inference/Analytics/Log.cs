using Microsoft.Extensions.Logging;

namespace Gateway.Inference.Analytics;

internal static partial class Log
{
    [LoggerMessage(3401, LogLevel.Information, "camera {Camera} zone {Zone}: crowd gathering, {Persons} person(s) (alert at {AlertPersons})")]
    public static partial void Gathering(ILogger logger, string camera, string zone, int persons, int alertPersons);

    [LoggerMessage(3402, LogLevel.Information, "camera {Camera} zone {Zone}: crowd dispersed, {Persons} person(s)")]
    public static partial void Dispersed(ILogger logger, string camera, string zone, int persons);

    [LoggerMessage(3403, LogLevel.Information, "camera {Camera} zone {Zone}: litter detected, {Class} ({Score:0.00}) at {Box}")]
    public static partial void LitterDetected(ILogger logger, string camera, string zone, string @class, float score, string box);

    [LoggerMessage(3404, LogLevel.Information, "camera {Camera} zone {Zone}: litter cleared, {Class} detected as seq {DetectedSeq}")]
    public static partial void LitterCleared(ILogger logger, string camera, string zone, string @class, long? detectedSeq);

    [LoggerMessage(3405, LogLevel.Error, "litter state {Path} unreadable ({Problem}); kept as {MovedTo}, starting with no open litter item")]
    public static partial void StateUnreadable(ILogger logger, string path, string problem, string movedTo);

    [LoggerMessage(3406, LogLevel.Warning, "litter state {Path} cannot be written ({Problem}); open items are kept in memory and written again at the next change")]
    public static partial void StateWriteFailed(ILogger logger, string path, string problem);

    [LoggerMessage(3407, LogLevel.Information, "litter state {Path} written again")]
    public static partial void StateWritesAgain(ILogger logger, string path);

    [LoggerMessage(3408, LogLevel.Information, "litter state {Path}: {Count} open item(s) from the last run")]
    public static partial void StateLoaded(ILogger logger, string path, int count);

    [LoggerMessage(3409, LogLevel.Warning, "camera {Camera}: model {Model} has no '{Label}' label; its {Analysis} analysis counts nothing")]
    public static partial void LabelMissing(ILogger logger, string camera, string model, string label, string analysis);

    [LoggerMessage(3450, LogLevel.Error, "crowd state {Path} unreadable ({Problem}); kept as {MovedTo}, starting with no open gathering")]
    public static partial void CrowdStateUnreadable(ILogger logger, string path, string problem, string movedTo);

    [LoggerMessage(3451, LogLevel.Warning, "crowd state {Path} cannot be written ({Problem}); open gatherings are kept in memory and written again at the next change")]
    public static partial void CrowdStateWriteFailed(ILogger logger, string path, string problem);

    [LoggerMessage(3452, LogLevel.Information, "crowd state {Path} written again")]
    public static partial void CrowdStateWritesAgain(ILogger logger, string path);

    [LoggerMessage(3453, LogLevel.Information, "crowd state {Path}: gathering still open from the last run in zone(s) {Zones}")]
    public static partial void CrowdStateLoaded(ILogger logger, string path, string zones);
}
