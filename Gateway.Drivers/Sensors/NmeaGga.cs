using System.Globalization;

namespace Gateway.Drivers.Sensors;

/// <summary>
/// GGA, fix data: UTC time (field 0), latitude (1, 2), longitude (3, 4), fix quality (5; 0 = no
/// fix), satellites in use (6), HDOP (7), altitude (8).
/// </summary>
internal sealed record NmeaGga(int FixQuality, int? Satellites, double? Latitude, double? Longitude)
{
    public bool HasFix => FixQuality > 0 && Latitude is not null && Longitude is not null;

    public static bool TryParse(NmeaSentence sentence, out NmeaGga? gga)
    {
        gga = null;
        if (sentence.Type != "GGA" || sentence.Fields.Count < 7
            || !int.TryParse(sentence.Field(5), NumberStyles.None, CultureInfo.InvariantCulture, out var quality))
        {
            return false;
        }
        int? satellites = int.TryParse(sentence.Field(6), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;
        double? latitude = NmeaFields.TryCoordinate(sentence.Field(1), sentence.Field(2), 2, out var lat) ? lat : null;
        double? longitude = NmeaFields.TryCoordinate(sentence.Field(3), sentence.Field(4), 3, out var lon) ? lon : null;
        gga = new NmeaGga(quality, satellites, latitude, longitude);
        return true;
    }
}
