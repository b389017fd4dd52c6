namespace Gateway.Drivers.Gpio;

/// <summary>
/// Resolves a configured <c>chip</c> (<c>gpiochipN</c>, <c>/dev/gpiochipN</c>, or a name an <see cref="IGpioChipSource"/> claims)
/// to a chip. Chips are shared by every device on them and owned by the provider.
/// </summary>
public interface IGpioChipProvider
{
    IGpioChip Open(string chip);
}
