namespace Gateway.Drivers.Modbus.Points;

/// <summary>A configured point (PointOptions) checked and compiled for polling.</summary>
public sealed record ModbusPoint(
    string Name,
    ModbusTable Table,
    ushort Address,
    PointType Type,
    WordOrder Order,
    double Scale,
    double Offset,
    int? Bit,
    string? Unit,
    bool Writable)
{
    public bool IsBitTable => Table is ModbusTable.Coil or ModbusTable.Discrete;

    /// <summary>Registers (or bits, for coil/discrete) the point occupies.</summary>
    public int Width => IsBitTable ? 1 : RegistersOf(Type);

    /// <summary>True when scale and offset leave an integer unchanged, so it stays exact.</summary>
    public bool IsIdentityScaling => Scale == 1.0 && Offset == 0.0;

    public static int RegistersOf(PointType type) => type switch
    {
        PointType.U32 or PointType.I32 or PointType.F32 => 2,
        PointType.U64 or PointType.I64 or PointType.F64 => 4,
        _ => 1,
    };

    /// <summary>Compiles configuration; the Host's validator has already rejected bad values, so this throws only on programming errors.</summary>
    public static ModbusPoint FromOptions(PointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var table = options.Table switch
        {
            "coil" => ModbusTable.Coil,
            "discrete" => ModbusTable.Discrete,
            "input" => ModbusTable.Input,
            "holding" => ModbusTable.Holding,
            _ => throw new ArgumentException($"point '{options.Name}': unknown table '{options.Table}'", nameof(options)),
        };
        var isBitTable = table is ModbusTable.Coil or ModbusTable.Discrete;
        var type = options.Type switch
        {
            null => isBitTable ? PointType.Bool : PointType.U16,
            "bool" => PointType.Bool,
            "u16" => PointType.U16,
            "i16" => PointType.I16,
            "u32" => PointType.U32,
            "i32" => PointType.I32,
            "f32" => PointType.F32,
            "u64" => PointType.U64,
            "i64" => PointType.I64,
            "f64" => PointType.F64,
            _ => throw new ArgumentException($"point '{options.Name}': unknown type '{options.Type}'", nameof(options)),
        };
        if (!Enum.TryParse<WordOrder>(options.Order, ignoreCase: false, out var order))
        {
            throw new ArgumentException($"point '{options.Name}': unknown order '{options.Order}'", nameof(options));
        }
        if (isBitTable && type != PointType.Bool)
        {
            throw new ArgumentException($"point '{options.Name}': a {options.Table} point is a bool", nameof(options));
        }
        if (type == PointType.Bool && !isBitTable && options.Bit is null)
        {
            throw new ArgumentException($"point '{options.Name}': a bool register point needs 'bit'", nameof(options));
        }
        if (options.Address is < 0 or > 65535 || options.Address + (isBitTable ? 1 : RegistersOf(type)) > 65536)
        {
            throw new ArgumentException($"point '{options.Name}': address {options.Address} out of range", nameof(options));
        }
        return new ModbusPoint(options.Name, table, (ushort)options.Address, type, order, options.Scale, options.Offset,
            options.Bit, options.Unit, options.Writable);
    }
}
