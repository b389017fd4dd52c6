namespace Gateway.Simulation.I2c;

/// <summary>
/// A register-map I2C target (256 byte registers, auto-incrementing pointer), the way most sensors
/// behave: a write's first byte sets the register pointer, further bytes are stored from there;
/// a read returns bytes from the pointer on. <see cref="RegisterWritten"/> lets a device model
/// react (e.g. start a measurement).
/// </summary>
public class SimulatedRegisterTarget
{
    private readonly object _gate = new();
    private readonly byte[] _registers = new byte[256];
    private byte _pointer;

    /// <summary>Sets registers directly (the device's own state, not a bus write).</summary>
    public void Load(byte register, ReadOnlySpan<byte> values)
    {
        lock (_gate)
        {
            values.CopyTo(_registers.AsSpan(register));
        }
    }

    public byte Peek(byte register)
    {
        lock (_gate)
        {
            return _registers[register];
        }
    }

    /// <summary>A bus master's write: the register pointer, then data from there.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }
        lock (_gate)
        {
            _pointer = bytes[0];
            foreach (var value in bytes[1..])
            {
                _registers[_pointer] = value;
                RegisterWritten(_pointer, value);
                _pointer++;
            }
        }
    }

    /// <summary>A bus master's read from the register pointer on.</summary>
    public void Read(Span<byte> bytes)
    {
        lock (_gate)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = _registers[_pointer++];
            }
        }
    }

    /// <summary>Called (under the target's lock) after a bus write stored <paramref name="value"/>.</summary>
    protected virtual void RegisterWritten(byte register, byte value)
    {
    }
}
