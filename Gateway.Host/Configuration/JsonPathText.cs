using System.Text.RegularExpressions;

namespace Gateway.Host.Configuration;

/// <summary>Builds the JSON paths used in configuration messages: <c>devices[2].points[0].type</c>.</summary>
internal static partial class JsonPathText
{
    public static string Child(string parent, string key)
    {
        var segment = PlainKey().IsMatch(key) ? key : $"[\"{key.Replace("\"", "\\\"", StringComparison.Ordinal)}\"]";
        return parent.Length == 0 || segment.StartsWith('[') ? parent + segment : $"{parent}.{segment}";
    }

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    [GeneratedRegex("^[A-Za-z_$][A-Za-z0-9_$-]*$")]
    private static partial Regex PlainKey();
}
