namespace Gateway.Host.ConfigApply;

/// <summary>Who asks for a configuration change, and through which door (SPEC section 3: <c>"via":"mqtt"|"web"</c>).</summary>
public sealed record ConfigActor(string User, string Via)
{
    public const string Mqtt = "mqtt";
    public const string Web = "web";

    /// <summary>
    /// The platform, for <c>config/set</c> over MQTT: a subscriber never learns the client id of the
    /// publisher (only the broker knows it), so the node cannot name a person here.
    /// </summary>
    public static ConfigActor CityBrain { get; } = new("city-brain", Mqtt);
}
