namespace Gateway.Drivers.Channels;

/// <summary>
/// A connected byte stream to Modbus devices: a TCP socket or a serial port. The seam where tests
/// inject faults. <see cref="ReadAsync"/> returns 0 only when the peer closed the stream.
/// </summary>
public interface IByteChannel : IAsyncDisposable
{
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Throws away bytes already received and not read (late answers, line noise); returns how many.</summary>
    int DiscardInput();
}
