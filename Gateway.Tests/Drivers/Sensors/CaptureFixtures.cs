using System.Globalization;
using Gateway.Tests.Support;

namespace Gateway.Tests.Drivers.Sensors;

/// <summary>The real sensor captures under Fixtures/ (each file says where its data came from).</summary>
internal static class CaptureFixtures
{
    public sealed record PmsCapture(byte[] Frame, int Pm1_0, int Pm2_5, int Pm10);

    public sealed record NmeaCapture(string Kind, string Sentence, string[] Expected);

    private static IEnumerable<string> Lines(string file) =>
        File.ReadLines(Repo.PathOf("Gateway.Tests", "Drivers", "Sensors", "Fixtures", file))
            .Where(l => l.Length > 0 && !l.StartsWith('#'));

    public static IReadOnlyList<PmsCapture> Pms5003 { get; } = [.. Lines("pms5003-captures.txt").Select(l =>
    {
        var p = l.Split(' ');
        return new PmsCapture(Convert.FromHexString(p[0]), Int(p[1]), Int(p[2]), Int(p[3]));
    })];

    public static IReadOnlyList<NmeaCapture> Nmea { get; } = [.. Lines("nmea-captures.txt").Select(l =>
    {
        var p = l.Split('|');
        return new NmeaCapture(p[0], p[1], p[2..]);
    })];

    public static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    public static double Double(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}
