namespace Gateway.Drivers.Modbus.Points;

/// <summary>
/// Byte/word order of a multi-register value, named by where the bytes of the big-endian value
/// A B C D (most significant first) appear on the wire: ABCD = big-endian; CDAB = words swapped
/// ("low word first", most meters); BADC = bytes swapped inside each word; DCBA = little-endian.
/// For 64-bit values the same rule applies to four words; for one register only the byte swap
/// (BADC, DCBA) matters.
/// </summary>
public enum WordOrder : byte
{
    ABCD,
    CDAB,
    BADC,
    DCBA,
}
