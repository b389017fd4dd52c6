namespace Gateway.Inference.Models;

/// <summary>How a frame is fitted to the model's input size.</summary>
public enum ResizeMode
{
    /// <summary>Scaled keeping its aspect ratio, centred, the rest padded grey (114), as YOLO models are trained.</summary>
    Letterbox,

    /// <summary>Scaled to the input size on each axis independently.</summary>
    Stretch,
}
