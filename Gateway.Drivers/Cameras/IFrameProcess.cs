namespace Gateway.Drivers.Cameras;

/// <summary>A running frame producer (ffmpeg, or a test's pipe): raw frames on <see cref="Frames"/>, its exit code when it ends.</summary>
public interface IFrameProcess : IAsyncDisposable
{
    Stream Frames { get; }

    /// <summary>Completes with the exit code once the process has ended.</summary>
    Task<int> Exited { get; }

    /// <summary>Ends the process now; its <see cref="Frames"/> then reach their end. Safe to call more than once.</summary>
    void Kill();
}
