using Microsoft.Extensions.Logging;

namespace Gateway.Host.Web;

internal static partial class Log
{
    [LoggerMessage(1601, LogLevel.Information, "web: listening on {Urls}; certificate SHA-256 {Fingerprint}")]
    public static partial void Listening(ILogger logger, string urls, string fingerprint);

    [LoggerMessage(1602, LogLevel.Information, "web: created the node's self-signed certificate {Path} (valid until {NotAfter:yyyy-MM-dd})")]
    public static partial void CertificateCreated(ILogger logger, string path, DateTimeOffset notAfter);

    [LoggerMessage(1603, LogLevel.Information, "web: {User} ({Role}) logged in from {Client}")]
    public static partial void LoggedIn(ILogger logger, string user, string role, string client);

    [LoggerMessage(1604, LogLevel.Warning, "web: failed login for '{User}' from {Client}")]
    public static partial void LoginFailed(ILogger logger, string user, string client);

    [LoggerMessage(1605, LogLevel.Warning, "web: login refused for '{User}' from {Client}: locked for {Seconds} s after repeated failures")]
    public static partial void LoginLocked(ILogger logger, string user, string client, long seconds);

    [LoggerMessage(1606, LogLevel.Information, "web: {User} logged out")]
    public static partial void LoggedOut(ILogger logger, string user);

    [LoggerMessage(1607, LogLevel.Error, "web: {Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, string method, string path, Exception error);

    [LoggerMessage(1608, LogLevel.Warning, "web: {Method} {Path} refused for {User}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, string user, string reason);

    [LoggerMessage(1609, LogLevel.Warning, "web: the users file cannot be read: {Reason}")]
    public static partial void UsersUnreadable(ILogger logger, string reason);

    [LoggerMessage(1610, LogLevel.Warning, "web: '{Host}' in {Url} is not an IP address; listening on every interface for it")]
    public static partial void HostNameListensEverywhere(ILogger logger, string host, string url);
}
