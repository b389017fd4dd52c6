namespace Gateway.Inference.Preprocessing;

/// <summary>
/// How a frame was placed into the model input: input = frame × scale + pad, per axis. Maps
/// model-space boxes back to frame pixels.
/// </summary>
public readonly record struct FrameTransform(float ScaleX, float ScaleY, float PadX, float PadY, int FrameWidth, int FrameHeight)
{
    public float ToFrameX(float inputX) => Math.Clamp((inputX - PadX) / ScaleX, 0, FrameWidth);

    public float ToFrameY(float inputY) => Math.Clamp((inputY - PadY) / ScaleY, 0, FrameHeight);

    public float ToInputX(float frameX) => (frameX * ScaleX) + PadX;

    public float ToInputY(float frameY) => (frameY * ScaleY) + PadY;
}
