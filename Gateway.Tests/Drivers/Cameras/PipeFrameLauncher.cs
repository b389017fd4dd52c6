using System.Threading.Channels;
using Gateway.Drivers.Cameras;

namespace Gateway.Tests.Drivers.Cameras;

/// <summary>A frame "process" per start whose frames, stderr and exit the test writes: a camera that stalls or returns on cue.</summary>
internal sealed class PipeFrameLauncher : IFrameProcessLauncher
{
    private readonly Channel<PipeFrameProcess> _started = Channel.CreateUnbounded<PipeFrameProcess>();
    private int _starts;

    public int Starts => Volatile.Read(ref _starts);

    public IFrameProcess Start(CameraSourceOptions options, Action<string> stderrLine)
    {
        var process = new PipeFrameProcess(stderrLine);
        Interlocked.Increment(ref _starts);
        _started.Writer.TryWrite(process);
        return process;
    }

    /// <summary>The next process the reader starts (30 s limit: only turns a hang into a message).</summary>
    public async Task<PipeFrameProcess> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _started.Reader.ReadAsync(timeout.Token);
    }
}
