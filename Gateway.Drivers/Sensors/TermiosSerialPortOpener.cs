using Gateway.Drivers.Serial;

namespace Gateway.Drivers.Sensors;

/// <summary>
/// The default <see cref="ISerialPortOpener"/>: a port that a registered <see cref="ISerialPortSource"/>
/// claims comes from it; any other port is opened through the termios serial layer
/// (<see cref="SerialPort"/>: raw mode, the device's baud, 8N1, no flow control) and handed out
/// as a <see cref="SerialPortStream"/>.
/// </summary>
internal sealed class TermiosSerialPortOpener(IEnumerable<ISerialPortSource> sources) : ISerialPortOpener
{
    public Stream Open(string port, int baud)
    {
        foreach (var source in sources)
        {
            if (source.TryOpen(port, baud, out var stream))
            {
                return stream;
            }
        }
        return new SerialPortStream(SerialPort.Open(new SerialPortSettings(port, baud)));
    }
}
