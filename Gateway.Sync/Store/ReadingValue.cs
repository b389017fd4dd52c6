using System.Globalization;

namespace Gateway.Sync.Store;

/// <summary>A reading's value: a double, a 64-bit integer, a boolean or a string, without boxing.</summary>
public readonly record struct ReadingValue
{
    private readonly double _double;
    private readonly long _integer;
    private readonly string? _text;

    private ReadingValue(ReadingValueKind kind, double d, long i, string? text)
    {
        Kind = kind;
        _double = d;
        _integer = i;
        _text = text;
    }

    public ReadingValueKind Kind { get; }

    public static ReadingValue FromDouble(double value) => new(ReadingValueKind.Double, value, 0, null);

    public static ReadingValue FromInteger(long value) => new(ReadingValueKind.Integer, 0, value, null);

    public static ReadingValue FromBoolean(bool value) => new(ReadingValueKind.Boolean, 0, value ? 1 : 0, null);

    public static ReadingValue FromText(string value) => new(ReadingValueKind.Text, 0, 0, value ?? throw new ArgumentNullException(nameof(value)));

    public static implicit operator ReadingValue(double value) => FromDouble(value);

    public static implicit operator ReadingValue(long value) => FromInteger(value);

    public static implicit operator ReadingValue(bool value) => FromBoolean(value);

    public static implicit operator ReadingValue(string value) => FromText(value);

    public double AsDouble => Kind switch
    {
        ReadingValueKind.Double => _double,
        ReadingValueKind.Integer or ReadingValueKind.Boolean => _integer,
        _ => throw new InvalidOperationException("a text reading has no numeric value"),
    };

    public long AsInteger => Kind == ReadingValueKind.Double ? (long)_double : _integer;

    public bool AsBoolean => Kind == ReadingValueKind.Double ? _double != 0 : _integer != 0;

    public string AsText => _text ?? ToString();

    public override string ToString() => Kind switch
    {
        ReadingValueKind.Double => _double.ToString("R", CultureInfo.InvariantCulture),
        ReadingValueKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        ReadingValueKind.Boolean => _integer != 0 ? "true" : "false",
        _ => _text!,
    };
}
