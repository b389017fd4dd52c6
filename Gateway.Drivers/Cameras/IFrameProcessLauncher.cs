namespace Gateway.Drivers.Cameras;

/// <summary>Starts a camera's frame producer; the seam at which tests replace ffmpeg by a pipe they control.</summary>
public interface IFrameProcessLauncher
{
    /// <param name="stderrLine">Called for each line the process writes to stderr, on any thread.</param>
    IFrameProcess Start(CameraSourceOptions options, Action<string> stderrLine);
}
