namespace Gateway.Drivers.Sensors;

/// <summary>
/// Finds PMS5003 frames in a byte stream that may hold noise, truncated frames and bad checksums:
/// resynchronises on the 0x42 0x4D start marker and, after a corrupt frame, resumes right after
/// that marker so a real frame hidden inside the rejected 32 bytes is still found.
/// </summary>
internal static class Pms5003FrameScanner
{
    /// <param name="consumed">Bytes at the start of <paramref name="buffer"/> that can be dropped.</param>
    public static Pms5003ScanStatus Scan(ReadOnlySpan<byte> buffer, out Pms5003Frame frame, out int consumed)
    {
        frame = default;
        var start = buffer.IndexOf([Pms5003Frame.Start1, Pms5003Frame.Start2]);
        if (start < 0)
        {
            // Keep a trailing 0x42: it may be the first half of the next marker.
            consumed = buffer.Length > 0 && buffer[^1] == Pms5003Frame.Start1 ? buffer.Length - 1 : buffer.Length;
            return Pms5003ScanStatus.NeedMoreData;
        }
        if (buffer.Length - start < Pms5003Frame.Length)
        {
            consumed = start;
            return Pms5003ScanStatus.NeedMoreData;
        }
        if (Pms5003Frame.TryParse(buffer.Slice(start, Pms5003Frame.Length), out frame))
        {
            consumed = start + Pms5003Frame.Length;
            return Pms5003ScanStatus.Frame;
        }
        consumed = start + 2;
        return Pms5003ScanStatus.Corrupt;
    }
}
