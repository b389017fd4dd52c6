namespace Gateway.Drivers.Cameras;

public enum CameraState
{
    /// <summary>Not yet a frame since the start.</summary>
    Starting,

    /// <summary>Frames arrive.</summary>
    Streaming,

    /// <summary><c>camera.lost</c> was raised; reconnecting with back-off.</summary>
    Lost,
}
