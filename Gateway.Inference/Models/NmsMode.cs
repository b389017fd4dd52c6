namespace Gateway.Inference.Models;

/// <summary>Whether overlapping boxes suppress each other only within a class, or across classes.</summary>
public enum NmsMode
{
    PerClass,
    ClassAgnostic,
}
