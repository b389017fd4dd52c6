namespace Gateway.Drivers.Modbus.Points;

/// <summary>Point value types of SPEC section 2 (config <c>type</c>).</summary>
public enum PointType : byte
{
    Bool,
    U16,
    I16,
    U32,
    I32,
    F32,
    U64,
    I64,
    F64,
}
