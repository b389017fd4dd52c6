namespace Gateway.Drivers.Sensors;

/// <summary>
/// Opens a serial sensor's port as a byte stream. The serial sensors only read from a
/// <see cref="Stream"/>; configuring the line (baud, 8N1, raw mode) is the opener's job. The
/// default opener opens the device file as it is (enough for socat ptys and pre-configured ports);
/// the Host replaces it with one on the drivers' termios serial layer when that is merged.
/// </summary>
public interface ISerialPortOpener
{
    Stream Open(string port, int baud);
}
