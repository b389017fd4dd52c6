using Gateway.Inference.Postprocessing;

namespace Gateway.Inference.Analytics;

/// <summary>A box in frame pixels (x1, y1) top-left to (x2, y2) bottom-right.</summary>
internal readonly record struct BoxF(float X1, float Y1, float X2, float Y2)
{
    public static BoxF Of(in Detection d) => new(d.X1, d.Y1, d.X2, d.Y2);

    public float CentreX => (X1 + X2) / 2;

    public float CentreY => (Y1 + Y2) / 2;

    public float IoU(BoxF other) => new Detection(0, 0, X1, Y1, X2, Y2).IoU(new Detection(0, 0, other.X1, other.Y1, other.X2, other.Y2));
}
