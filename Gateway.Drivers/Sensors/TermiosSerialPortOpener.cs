using Gateway.Drivers.Serial;

namespace Gateway.Drivers.Sensors;

/// <summary>
/// The default <see cref="ISerialPortOpener"/>: <c>sim:NAME</c> comes from
/// <see cref="SimulatedSerialPorts"/>; any other port is opened through the termios serial layer
/// (<see cref="SerialPort"/>: raw mode, the device's baud, 8N1, no flow control) and handed out
/// as a <see cref="SerialPortStream"/>.
/// </summary>
internal sealed class TermiosSerialPortOpener(SimulatedSerialPorts simulated) : ISerialPortOpener
{
    private const string SimulatedPrefix = "sim:";

    public Stream Open(string port, int baud) =>
        port.StartsWith(SimulatedPrefix, StringComparison.Ordinal)
            ? simulated.Open(port[SimulatedPrefix.Length..])
            : new SerialPortStream(SerialPort.Open(new SerialPortSettings(port, baud)));
}
