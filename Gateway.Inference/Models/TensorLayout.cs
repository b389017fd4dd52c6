namespace Gateway.Inference.Models;

/// <summary>Order of a model's image input: channels first (<c>[1,3,H,W]</c>) or last (<c>[1,H,W,3]</c>).</summary>
public enum TensorLayout
{
    Nchw,
    Nhwc,
}
