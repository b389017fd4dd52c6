using System.Text;

namespace Gateway.Drivers.Sensors;

/// <summary>Frames an NMEA body as <c>$body*hh\r\n</c> (the simulator's and the tests' encoder).</summary>
internal static class NmeaWriter
{
    public static string Sentence(string body)
    {
        byte checksum = 0;
        foreach (var b in Encoding.ASCII.GetBytes(body))
        {
            checksum ^= b;
        }
        return $"${body}*{checksum:X2}\r\n";
    }
}
