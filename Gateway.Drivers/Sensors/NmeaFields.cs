using System.Globalization;

namespace Gateway.Drivers.Sensors;

/// <summary>Decoders for the NMEA 0183 field formats RMC and GGA share.</summary>
internal static class NmeaFields
{
    /// <summary>
    /// <c>ddmm.mmmm</c> / <c>dddmm.mmmm</c> plus hemisphere → signed decimal degrees (south and west
    /// negative, SPEC section 4). False for an empty field (no fix) or nonsense.
    /// </summary>
    public static bool TryCoordinate(string value, string hemisphere, int degreeDigits, out double degrees)
    {
        degrees = 0;
        if (value.Length < degreeDigits + 2 || value.IndexOf('.', StringComparison.Ordinal) is var dot && dot != -1 && dot != degreeDigits + 2
            || !int.TryParse(value.AsSpan(0, degreeDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var whole)
            || !double.TryParse(value.AsSpan(degreeDigits), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var minutes)
            || minutes >= 60)
        {
            return false;
        }
        degrees = whole + (minutes / 60.0);
        switch (hemisphere)
        {
            case "N" or "E":
                break;
            case "S" or "W":
                degrees = -degrees;
                break;
            default:
                return false;
        }
        return Math.Abs(degrees) <= (degreeDigits == 2 ? 90 : 180);
    }

    /// <summary><c>hhmmss</c> or <c>hhmmss.sss</c> → time of day.</summary>
    public static bool TryTime(string value, out TimeSpan time)
    {
        time = default;
        if (value.Length < 6
            || !int.TryParse(value.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(value.AsSpan(2, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || !double.TryParse(value.AsSpan(4), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s)
            || h > 23 || m > 59 || s >= 61)
        {
            return false;
        }
        time = new TimeSpan(h, m, 0) + TimeSpan.FromMilliseconds(Math.Round(s * 1000));
        return true;
    }

    /// <summary><c>ddmmyy</c> → date; two-digit years are 2000–2079, 1980–1999 (GPS began in 1980).</summary>
    public static bool TryDate(string value, out DateOnly date)
    {
        date = default;
        if (value.Length != 6
            || !int.TryParse(value.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var d)
            || !int.TryParse(value.AsSpan(2, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var mo)
            || !int.TryParse(value.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(2000 + y, mo))
        {
            return false;
        }
        date = new DateOnly(y >= 80 ? 1900 + y : 2000 + y, mo, d);
        return true;
    }
}
