using System.Net;

namespace Gateway.Host.Health;

/// <summary>Who may read <c>GET /metrics</c> (<c>web.metrics</c>, SPEC section 6).</summary>
public enum MetricsAccessMode
{
    /// <summary>Only with a web login session (the default).</summary>
    Session,

    /// <summary>Without login, but only to clients on the loopback interface (a local Prometheus or node exporter).</summary>
    Localhost,
}

/// <summary>The access decision for <c>/metrics</c>, apart from HTTP so that it can be tested for any address.</summary>
public static class MetricsAccess
{
    public static bool TryParseMode(string? text, out MetricsAccessMode mode)
    {
        switch (text)
        {
            case "session":
                mode = MetricsAccessMode.Session;
                return true;
            case "localhost":
                mode = MetricsAccessMode.Localhost;
                return true;
            default:
                mode = default;
                return false;
        }
    }

    /// <summary>
    /// True when a client at <paramref name="remote"/> may read the metrics without a session: in
    /// <see cref="MetricsAccessMode.Localhost"/> mode, a loopback address (127.0.0.0/8, ::1, or an IPv4 loopback
    /// mapped into IPv6). Never in <see cref="MetricsAccessMode.Session"/> mode; never for an unknown address.
    /// </summary>
    public static bool AllowsWithoutSession(MetricsAccessMode mode, IPAddress? remote)
    {
        if (mode != MetricsAccessMode.Localhost || remote is null)
        {
            return false;
        }
        return IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
    }
}
