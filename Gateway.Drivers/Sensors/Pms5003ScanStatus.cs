namespace Gateway.Drivers.Sensors;

/// <summary>Outcome of <see cref="Pms5003FrameScanner.Scan"/>.</summary>
internal enum Pms5003ScanStatus
{
    /// <summary>A valid frame was found and consumed.</summary>
    Frame,

    /// <summary>A start marker led to a frame that failed its checks; scanning resumes after the marker.</summary>
    Corrupt,

    /// <summary>No complete frame yet; keep the unconsumed bytes and read more.</summary>
    NeedMoreData,
}
