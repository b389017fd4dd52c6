using System.Globalization;

namespace Gateway.Configuration;

/// <summary>
/// Parses <c>scheme://host:port</c> with nothing after the authority but an optional '/'; the
/// reason text is what the configuration error says after the URI.
/// </summary>
internal static class HostPortUri
{
    public static bool TryParse(string text, string[] schemes, out Uri? uri, out string why)
    {
        uri = null;
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            why = $"expected {string.Join(" or ", schemes.Select(s => s + "://host:port"))}";
            return false;
        }
        var scheme = text[..separator];
        if (!schemes.Contains(scheme, StringComparer.Ordinal))
        {
            why = $"scheme '{scheme}' is not one of {string.Join(", ", schemes)}";
            return false;
        }
        var authority = text[(separator + 3)..];
        if (authority.EndsWith('/'))
        {
            authority = authority[..^1];
        }
        if (authority.IndexOfAny(['/', '?', '#']) >= 0)
        {
            why = "nothing may follow host:port";
            return false;
        }
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            why = "credentials do not belong in the URI; use username and password";
            return false;
        }
        var colon = authority.LastIndexOf(':');
        var host = authority;
        if (colon >= 0 && colon > authority.LastIndexOf(']'))
        {
            host = authority[..colon];
            var portText = authority[(colon + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                why = $"port '{portText}' is not a number from 1 to 65535";
                return false;
            }
        }
        else if (DefaultPort(scheme) is null)
        {
            why = "port is missing";
            return false;
        }
        if (host.Length == 0 || Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            why = host.Length == 0 ? "host is missing" : $"'{host}' is not a valid host name or address";
            return false;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out uri))
        {
            why = "not a valid URI";
            return false;
        }
        why = "";
        return true;
    }

    /// <summary>The well-known port of a scheme, used when a URI names none.</summary>
    public static int? DefaultPort(string scheme) => scheme switch
    {
        "mqtt" => 1883,
        "mqtts" => 8883,
        "tcp" => 502,
        "http" => 80,
        "https" => 443,
        _ => null, // rtu+tcp: serial servers have no standard port
    };
}
