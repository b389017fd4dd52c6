using System.IO.Pipelines;
using Gateway.Drivers.Cameras;

namespace Gateway.Tests.Drivers.Cameras;

internal sealed class PipeFrameProcess : IFrameProcess
{
    private readonly Pipe _pipe = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<string> _stderr;

    public PipeFrameProcess(Action<string> stderr)
    {
        _stderr = stderr;
        Frames = _pipe.Reader.AsStream();
    }

    public Stream Frames { get; }

    public Task<int> Exited => _exited.Task;

    public bool Killed { get; private set; }

    /// <summary>Writes raw bytes (a whole frame, or part of one) to the reader's stdout.</summary>
    public async Task WriteAsync(byte[] bytes) => await _pipe.Writer.WriteAsync(bytes);

    /// <summary>Ends as ffmpeg does: a last stderr line, stdout closed, an exit code.</summary>
    public void Exit(int code, string? stderrLine = null)
    {
        if (stderrLine is not null)
        {
            _stderr(stderrLine);
        }
        // Exited first: the reader, seeing the end of stdout, then finds the exit code without waiting on a timer.
        _exited.TrySetResult(code);
        _pipe.Writer.Complete();
    }

    public void Kill()
    {
        Killed = true;
        Exit(137);
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }
}
