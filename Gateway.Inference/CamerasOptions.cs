namespace Gateway.Inference;

/// <summary>The <c>models</c> and <c>cameras</c> sections together: a camera's analyses name their model by id.</summary>
public sealed class CamerasOptions
{
    public IList<ModelOptions> Models { get; set; } = [];

    public IList<CameraOptions> Cameras { get; set; } = [];
}
