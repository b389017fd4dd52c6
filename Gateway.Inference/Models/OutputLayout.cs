namespace Gateway.Inference.Models;

/// <summary>What a detector's output tensor holds (SPEC section 2.2).</summary>
public enum OutputLayout
{
    /// <summary>A raw YOLO v5/v8/v11 head <c>[1, 4+C, N]</c>: cx, cy, w, h, then C class scores per candidate.</summary>
    Yolo,

    /// <summary>Ready boxes <c>[1, N, 6]</c>: x1, y1, x2, y2, score, class (CenterNet, YOLOv10, NMS-included exports).</summary>
    Boxes,
}
