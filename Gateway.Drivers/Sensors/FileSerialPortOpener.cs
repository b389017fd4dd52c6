namespace Gateway.Drivers.Sensors;

/// <summary>
/// Opens <c>sim:NAME</c> from <see cref="SimulatedSerialPorts"/> and any other port as a plain
/// read-only file stream (no termios settings — see <see cref="ISerialPortOpener"/>).
/// </summary>
internal sealed class FileSerialPortOpener(SimulatedSerialPorts simulated) : ISerialPortOpener
{
    private const string SimulatedPrefix = "sim:";

    public Stream Open(string port, int baud) =>
        port.StartsWith(SimulatedPrefix, StringComparison.Ordinal)
            ? simulated.Open(port[SimulatedPrefix.Length..])
            : new FileStream(port, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.Asynchronous);
}
