namespace Gateway.Drivers.Pole;

/// <summary>Reading quality as the MQTT contract names it (SPEC section 3: good, bad, uncertain).</summary>
public enum PoleQuality
{
    Good,
    Bad,
    Uncertain,
}
