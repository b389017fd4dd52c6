namespace Gateway.Drivers.Channels;

/// <summary>Opens a new <see cref="IByteChannel"/> (connects a socket, opens a serial port).</summary>
public delegate ValueTask<IByteChannel> ByteChannelConnector(CancellationToken cancellationToken);
