using System.Runtime.InteropServices;
using System.Threading.Channels;
using Gateway.Drivers.Gpio.Interop;
using Gateway.Drivers.Interop;

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
        if (Libc.Pipe2(pipe, Libc.O_CLOEXEC) < 0)
        {
            Libc.Close(fd);
            throw Libc.Error("cannot create a wake-up pipe for", chip);
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
        var fds = stackalloc PollFd[2];
        try
        {
            while (Volatile.Read(ref _disposed) == 0)
            {
                fds[0] = new PollFd { Fd = _fd, Events = Libc.POLLIN };
                fds[1] = new PollFd { Fd = _wakeRead, Events = Libc.POLLIN };
                if (Libc.Poll(fds, 2, -1) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                    {
                        continue;
                    }
                    throw Libc.Error("poll failed on", _chip);
                }
                if (fds[1].REvents != 0)
                {
                    return;
                }
                nint bytes;
                fixed (GpioV2Uapi.LineEvent* buffer = events)
                {
                    bytes = Libc.Read(_fd, buffer, (nuint)(sizeof(GpioV2Uapi.LineEvent) * EventsPerRead));
                }
                if (bytes < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is Libc.EINTR or Libc.EAGAIN)
                    {
                        continue;
                    }
                    throw Libc.Error("cannot read line events of", _chip);
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
        Libc.Write(_wakeWrite, &wake, 1);
        _edges.Writer.TryComplete();
        _reader.Join();
        Libc.Close(_fd);
        Libc.Close(_wakeRead);
        Libc.Close(_wakeWrite);
    }
}
