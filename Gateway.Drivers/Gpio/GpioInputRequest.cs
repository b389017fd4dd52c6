namespace Gateway.Drivers.Gpio;

/// <summary>
/// What an input line is requested with. <paramref name="KernelDebounce"/> is asked of the kernel
/// (GPIO_V2_LINE_ATTR_ID_DEBOUNCE) where the chip supports it; where not, the drivers debounce in software.
/// </summary>
public sealed record GpioInputRequest(int Line, bool ActiveLow, GpioBias Bias, TimeSpan KernelDebounce, string Consumer);
