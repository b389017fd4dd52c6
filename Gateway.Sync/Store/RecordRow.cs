namespace Gateway.Sync.Store;

/// <summary>Conversions between records and their compact columns.</summary>
internal static class RecordRow
{
    public static long ToUnixMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMilliseconds(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static long MonotonicMilliseconds(TimeProvider time, long timestamp) =>
        (long)(timestamp * (1000.0 / time.TimestampFrequency));

    public static int Flags(ReadingQuality quality, ReadingValueKind kind) => (int)quality | ((int)kind << StoreSchema.KindShift);

    public static ReadingQuality Quality(long flags) => (ReadingQuality)(flags & StoreSchema.QualityMask);

    public static ReadingValueKind Kind(long flags) => (ReadingValueKind)(flags >> StoreSchema.KindShift & 0b11);

    /// <summary>
    /// The column value: whole doubles go in as integers (SQLite stores small integers in 0–6 bytes,
    /// a REAL in 8); a non-finite double (a bad reading without a value) as NULL, since SQLite has
    /// no NaN — read back as NaN and rendered as JSON null.
    /// </summary>
    public static object Column(ReadingValue value) => value.Kind switch
    {
        ReadingValueKind.Double when !double.IsFinite(value.AsDouble) => DBNull.Value,
        ReadingValueKind.Double => IsWhole(value.AsDouble) ? (long)value.AsDouble : value.AsDouble,
        ReadingValueKind.Integer or ReadingValueKind.Boolean => value.AsInteger,
        _ => value.AsText,
    };

    private static bool IsWhole(double d) =>
        Math.Abs(d) < (1L << 53) && d == Math.Floor(d) && !(d == 0 && double.IsNegative(d));
}
