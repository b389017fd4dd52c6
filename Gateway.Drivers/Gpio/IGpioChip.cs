namespace Gateway.Drivers.Gpio;

/// <summary>A GPIO chip: the kernel's /dev/gpiochipN or a simulated one (<c>sim:NAME</c>).</summary>
public interface IGpioChip
{
    string Name { get; }

    /// <summary>Requests a line as an input with edge detection on both edges.</summary>
    IGpioInputLine RequestInput(GpioInputRequest request);

    /// <summary>Requests a line as an output driven to <paramref name="initialActive"/> at once.</summary>
    IGpioOutputLine RequestOutput(int line, bool activeLow, bool initialActive, string consumer);
}
