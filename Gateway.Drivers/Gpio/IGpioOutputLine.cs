namespace Gateway.Drivers.Gpio;

/// <summary>A requested output line; disposing releases it (the kernel then keeps the last level).</summary>
public interface IGpioOutputLine : IDisposable
{
    int Line { get; }

    void Write(bool active);

    bool Read();
}
