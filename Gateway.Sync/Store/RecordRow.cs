using Microsoft.Data.Sqlite;

namespace Gateway.Sync.Store;

/// <summary>Conversions between records and their compact columns.</summary>
internal static class RecordRow
{
    /// <summary>
    /// The value kind as stored in <c>flags</c> (bits 2–4). Never renumber: rows written by every
    /// earlier version must read the same. 3 was once text, which the product never wrote; it is
    /// not accepted any more.
    /// </summary>
    private enum StoredKind
    {
        Double = 0,
        Integer = 1,
        Boolean = 2,
        UInt64 = 4,
    }

    // Quality in flags bits 0–1, as stored since format 1.
    private const long GoodCode = 0;
    private const long BadCode = 1;
    private const long UncertainCode = 2;
    private const int KindMask = 0b111;

    public static long ToUnixMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMilliseconds(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static long MonotonicMilliseconds(TimeProvider time, long timestamp) =>
        (long)(timestamp * (1000.0 / time.TimestampFrequency));

    /// <summary>
    /// Quality and value kind packed in one small integer: 0 (stored in zero bytes) for a good
    /// double, 1 (also zero bytes) for a bad reading without a value.
    /// </summary>
    public static long Flags(ReadingQuality quality, ReadingValue value)
    {
        var kind = value.Kind switch
        {
            ReadingValueKind.Int64 => StoredKind.Integer,
            ReadingValueKind.Boolean => StoredKind.Boolean,
            ReadingValueKind.UInt64 => StoredKind.UInt64,
            _ => StoredKind.Double, // None too: its NULL column says "no value"
        };
        var q = quality switch
        {
            ReadingQuality.Good => GoodCode,
            ReadingQuality.Bad => BadCode,
            _ => UncertainCode,
        };
        return q | ((long)kind << StoreSchema.KindShift);
    }

    public static ReadingQuality Quality(long flags) => (flags & StoreSchema.QualityMask) switch
    {
        GoodCode => ReadingQuality.Good,
        BadCode => ReadingQuality.Bad,
        UncertainCode => ReadingQuality.Uncertain,
        var code => throw new FormatException($"unknown quality code {code}"),
    };

    /// <summary>
    /// The column value. No value is NULL (SQLite has no NaN, and format 1 has always stored a
    /// reading without a value this way). Whole doubles go in as integers (SQLite stores small
    /// integers in 0–6 bytes, a REAL in 8). A u64 goes in as the signed integer with the same
    /// 64 bits: SQLite's INTEGER is signed, and only this keeps a u64 above 2^63 - 1 exact.
    /// </summary>
    public static object Column(ReadingValue value) => value.Kind switch
    {
        ReadingValueKind.None => DBNull.Value,
        ReadingValueKind.Double => IsWhole(value.AsDouble()) ? (long)value.AsDouble() : value.AsDouble(),
        ReadingValueKind.UInt64 => unchecked((long)value.AsUInt64()),
        _ => value.AsInt64(),
    };

    /// <summary>
    /// The value of a row read back. Only a double row may be NULL (no value); an integer, boolean or
    /// u64 row without a value is damaged and throws, so the reader reports it as undecodable.
    /// </summary>
    public static ReadingValue Value(long flags, SqliteDataReader rows, int index)
    {
        var kind = (StoredKind)(flags >> StoreSchema.KindShift & KindMask);
        if (kind == StoredKind.Double && rows.IsDBNull(index))
        {
            return ReadingValue.None;
        }
        return kind switch
        {
            StoredKind.Double => ReadingValue.FromDouble(rows.GetDouble(index)),
            StoredKind.Integer => ReadingValue.FromInt64(rows.GetInt64(index)),
            StoredKind.Boolean => ReadingValue.FromBoolean(rows.GetInt64(index) != 0),
            StoredKind.UInt64 => ReadingValue.FromUInt64(unchecked((ulong)rows.GetInt64(index))),
            _ => throw new FormatException($"unknown value kind {(int)kind}"),
        };
    }

    private static bool IsWhole(double d) =>
        Math.Abs(d) < (1L << 53) && d == Math.Floor(d) && !(d == 0 && double.IsNegative(d));
}
