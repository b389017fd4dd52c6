namespace Gateway.Drivers.Gpio;

/// <summary>Line bias as configured (<c>bias</c>: as-is, pull-up, pull-down, disabled).</summary>
public enum GpioBias
{
    AsIs,
    PullUp,
    PullDown,
    Disabled,
}
