namespace Gateway.Inference.Models;

/// <summary>The range a model expects its RGB input in: <c>"0-1"</c> or <c>"0-255"</c>.</summary>
public enum PixelScale
{
    ZeroToOne,
    ZeroTo255,
}
