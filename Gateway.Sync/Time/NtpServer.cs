using System.Globalization;
using System.Net;

namespace Gateway.Sync.Time;

/// <summary>An NTP server from <c>time.ntpServers</c>: a host name or address, optionally with a port (<c>host:123</c>, <c>[::1]:123</c>).</summary>
public sealed record NtpServer(string Host, int Port)
{
    public const int DefaultPort = 123;

    public static bool TryParse(string? text, out NtpServer server, out string? problem)
    {
        server = new NtpServer("", DefaultPort);
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "is empty";
            return false;
        }
        var host = text.Trim();
        var port = DefaultPort;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                problem = "has '[' without ']'";
                return false;
            }
            var rest = host[(close + 1)..];
            host = host[1..close];
            if (rest.Length > 0 && !TryPort(rest, out port, out problem))
            {
                return false;
            }
        }
        else if (host.Count(c => c == ':') == 1)
        {
            var colon = host.IndexOf(':', StringComparison.Ordinal);
            if (!TryPort(host[colon..], out port, out problem))
            {
                return false;
            }
            host = host[..colon];
        }
        if (host.Length == 0 || (Uri.CheckHostName(host) == UriHostNameType.Unknown && !IPAddress.TryParse(host, out _)))
        {
            problem = "is not a host name or address";
            return false;
        }
        server = new NtpServer(host, port);
        return true;
    }

    private static bool TryPort(string text, out int port, out string? problem)
    {
        problem = null;
        if (text.Length < 2 || text[0] != ':' || !int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            port = 0;
            problem = "has a port that is not 1..65535";
            return false;
        }
        return true;
    }

    public override string ToString() => Port == DefaultPort ? Host : Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
