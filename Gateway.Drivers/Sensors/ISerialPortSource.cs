using System.Diagnostics.CodeAnalysis;

namespace Gateway.Drivers.Sensors;

/// <summary>
/// Serial ports that are not tty devices (the simulated sensors of Gateway.Simulation behind
/// <c>sim:NAME</c>). The default opener asks every registered source before termios.
/// </summary>
public interface ISerialPortSource
{
    bool TryOpen(string port, int baud, [NotNullWhen(true)] out Stream? stream);
}
