using System.Runtime.InteropServices;
using System.Threading.Channels;
using Gateway.Drivers.Gpio.Interop;
using Gateway.Drivers.Pole.Interop;

namespace Gateway.Drivers.Gpio;

/// <summary>
/// An input line request fd of a kernel chip. Edge events (struct gpio_v2_line_event) are read by a
/// dedicated thread blocked in poll() on the request fd and a wake-up pipe, so nothing spins and
/// disposal ends the thread at once. Events of one read() enter the channel together.
/// </summary>
internal sealed unsafe class LinuxGpioInputLine : IGpioInputLine
{
    private const int EventsPerRead = 16;
    private readonly int _fd;
    private readonly string _chip;
    private readonly int _wakeRead;
    private readonly int _wakeWrite;
    private readonly Thread _reader;
    private readonly Channel<GpioEdge> _edges = Channel.CreateBounded<GpioEdge>(
        new BoundedChannelOptions(4096) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private int _disposed;

    public LinuxGpioInputLine(int fd, int line, bool kernelDebounced, string chip)
    {
        _fd = fd;
        _chip = chip;
        Line = line;
        KernelDebounced = kernelDebounced;
        var pipe = stackalloc int[2];
        if (PoleLibc.Pipe2(pipe, PoleLibc.OCloExec) < 0)
        {
            PoleLibc.Close(fd);
            throw PoleLibc.Error("cannot create a wake-up pipe for", chip);
        }
        _wakeRead = pipe[0];
        _wakeWrite = pipe[1];
        _reader = new Thread(ReadEvents) { IsBackground = true, Name = $"gpio {chip}:{line}" };
        _reader.Start();
    }

    public int Line { get; }

    public bool KernelDebounced { get; }

    public ChannelReader<GpioEdge> Edges => _edges.Reader;

    public bool Read() => LinuxGpioChip.GetValue(_fd, _chip);

    private void ReadEvents()
    {
        var events = new GpioV2Uapi.LineEvent[EventsPerRead];
        var fds = stackalloc PoleLibc.PollFd[2];
        try
        {
            while (Volatile.Read(ref _disposed) == 0)
            {
                fds[0] = new PoleLibc.PollFd { Fd = _fd, Events = PoleLibc.PollIn };
                fds[1] = new PoleLibc.PollFd { Fd = _wakeRead, Events = PoleLibc.PollIn };
                if (PoleLibc.Poll(fds, 2, -1) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == PoleLibc.EIntr)
                    {
                        continue;
                    }
                    throw PoleLibc.Error("poll failed on", _chip);
                }
                if (fds[1].REvents != 0)
                {
                    return;
                }
                nint bytes;
                fixed (GpioV2Uapi.LineEvent* buffer = events)
                {
                    bytes = PoleLibc.Read(_fd, buffer, (nuint)(sizeof(GpioV2Uapi.LineEvent) * EventsPerRead));
                }
                if (bytes < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is PoleLibc.EIntr or PoleLibc.EAgain)
                    {
                        continue;
                    }
                    throw PoleLibc.Error("cannot read line events of", _chip);
                }
                var count = (int)(bytes / sizeof(GpioV2Uapi.LineEvent));
                for (var i = 0; i < count; i++)
                {
                    var edge = new GpioEdge((int)events[i].Offset, events[i].Id == GpioV2Uapi.EventRisingEdge, (long)events[i].TimestampNs);
                    while (!_edges.Writer.TryWrite(edge))
                    {
                        // The consumer is behind: block this dedicated thread (never the pool) until
                        // there is room; meanwhile the kernel's own buffer holds further edges.
                        if (!_edges.Writer.WaitToWriteAsync().AsTask().GetAwaiter().GetResult())
                        {
                            return;
                        }
                    }
                }
            }
        }
        catch (IOException e)
        {
            _edges.Writer.TryComplete(e);
            return;
        }
        _edges.Writer.TryComplete();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        byte wake = 1;
        PoleLibc.Write(_wakeWrite, &wake, 1);
        _edges.Writer.TryComplete();
        _reader.Join();
        PoleLibc.Close(_fd);
        PoleLibc.Close(_wakeRead);
        PoleLibc.Close(_wakeWrite);
    }
}
