namespace Gateway.Simulation.Modbus;

/// <summary>What <see cref="SimulatedModbusServer"/> does to one answer.</summary>
public enum WireFault
{
    None,
    /// <summary>No answer at all.</summary>
    Silence,
    /// <summary>The answer is held until <see cref="SimulatedModbusServer.ReleaseLateAnswer"/>, i.e. after the master's timeout (a late answer for the next request to ignore).</summary>
    Late,
    /// <summary>RTU: one bit of the frame flipped (CRC error).</summary>
    CorruptCrc,
    /// <summary>Only part of the frame.</summary>
    Truncated,
    /// <summary>First an answer with wrong data from another unit id, then the right one.</summary>
    WrongUnitFirst,
    /// <summary>MBAP: first an answer with wrong data and an old transaction id, then the right one.</summary>
    StaleTransactionFirst,
    /// <summary>RTU: a corrupted copy with wrong data, then the right frame.</summary>
    BadFrameFirst,
    /// <summary>Random bytes before and after the right frame.</summary>
    Noise,
    /// <summary>MBAP: a header with protocol id 7 (the stream is garbage from here).</summary>
    BadHeader,
    /// <summary>The server closes the connection instead of answering.</summary>
    Close,
    /// <summary>A well-formed answer with the wrong number of registers (must not be decoded).</summary>
    WrongLength,
}
