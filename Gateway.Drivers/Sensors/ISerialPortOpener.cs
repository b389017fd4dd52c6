namespace Gateway.Drivers.Sensors;

/// <summary>
/// Opens a serial sensor's port as a byte stream. The serial sensors only read from a
/// <see cref="Stream"/>; configuring the line (baud, 8N1, raw mode) is the opener's job. The
/// default (<see cref="TermiosSerialPortOpener"/>) opens real ports through the termios layer in
/// <c>Serial/</c> and ports an <see cref="ISerialPortSource"/> claims.
/// </summary>
public interface ISerialPortOpener
{
    Stream Open(string port, int baud);
}
