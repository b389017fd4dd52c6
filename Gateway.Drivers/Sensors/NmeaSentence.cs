using System.Text;

namespace Gateway.Drivers.Sensors;

/// <summary>
/// One NMEA 0183 sentence: <c>$</c>, talker (e.g. GP, GN), type (e.g. RMC), comma-separated
/// fields, <c>*</c> and two hex digits = XOR of every byte between <c>$</c> and <c>*</c>. The
/// checksum is required here: RMC and GGA carry it in every receiver in use (NMEA 0183 v2.3+).
/// </summary>
internal sealed record NmeaSentence(string Talker, string Type, IReadOnlyList<string> Fields)
{
    /// <summary>NMEA 0183 limits a sentence to 82 characters including $ and CR LF.</summary>
    public const int MaxLength = 82;

    /// <summary>Parses one line without its CR LF.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out NmeaSentence? sentence, out string? error)
    {
        sentence = null;
        if (line.Length < 9 || line[0] != (byte)'$')
        {
            error = "not a sentence";
            return false;
        }
        if (line.Length > MaxLength)
        {
            error = "too long";
            return false;
        }
        var star = line.LastIndexOf((byte)'*');
        if (star < 0 || star != line.Length - 3)
        {
            error = "no checksum";
            return false;
        }
        byte computed = 0;
        foreach (var b in line[1..star])
        {
            if (b is < 0x20 or > 0x7E)
            {
                error = "non-printable byte";
                return false;
            }
            computed ^= b;
        }
        if (!TryHex(line[star + 1], out var high) || !TryHex(line[star + 2], out var low) || ((high << 4) | low) != computed)
        {
            error = "checksum mismatch";
            return false;
        }
        var body = Encoding.ASCII.GetString(line[1..star]);
        var parts = body.Split(',');
        if (parts[0].Length != 5 && !(parts[0].Length >= 4 && parts[0][0] == 'P'))
        {
            error = "bad address field";
            return false;
        }
        var address = parts[0];
        sentence = new NmeaSentence(address[..2], address[2..], parts[1..]);
        error = null;
        return true;
    }

    private static bool TryHex(byte c, out int value)
    {
        value = c switch
        {
            >= (byte)'0' and <= (byte)'9' => c - '0',
            >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
            >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }

    public string Field(int index) => index < Fields.Count ? Fields[index] : "";
}
