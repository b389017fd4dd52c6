namespace Gateway.Drivers.Sensors;

/// <summary>
/// RMC, recommended minimum data: UTC time (field 0), status A = valid / V = warning (1),
/// latitude (2, 3), longitude (4, 5), speed (6), course (7), UTC date ddmmyy (8).
/// </summary>
internal sealed record NmeaRmc(bool Valid, DateTimeOffset? Utc, double? Latitude, double? Longitude)
{
    public static bool TryParse(NmeaSentence sentence, out NmeaRmc? rmc)
    {
        rmc = null;
        if (sentence.Type != "RMC" || sentence.Fields.Count < 9)
        {
            return false;
        }
        var valid = sentence.Field(1) == "A";
        DateTimeOffset? utc = NmeaFields.TryTime(sentence.Field(0), out var time) && NmeaFields.TryDate(sentence.Field(8), out var date)
            ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) + time
            : null;
        double? latitude = NmeaFields.TryCoordinate(sentence.Field(2), sentence.Field(3), 2, out var lat) ? lat : null;
        double? longitude = NmeaFields.TryCoordinate(sentence.Field(4), sentence.Field(5), 3, out var lon) ? lon : null;
        rmc = new NmeaRmc(valid, utc, latitude, longitude);
        return true;
    }
}
