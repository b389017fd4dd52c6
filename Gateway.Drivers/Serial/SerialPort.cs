using System.Runtime.InteropServices;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Channels;
using Gateway.Drivers.Interop;
using Gateway.Drivers.Serial.Interop;
using static Gateway.Drivers.Interop.Libc;
using static Gateway.Drivers.Serial.Interop.SerialConstants;

namespace Gateway.Drivers.Serial;

/// <summary>
/// A Linux serial port (a tty: UART, USB adapter, pty) over termios, as an <see cref="IByteChannel"/>.
/// Raw mode, the given baud/parity/data/stop bits, no flow control, and RS-485 direction control
/// through TIOCSRS485 when asked and when the UART driver supports it (USB adapters that switch
/// direction themselves answer ENOTTY, which is fine: <see cref="Rs485Enabled"/> says false).
/// <para>
/// Reads never block a caller: one background reader thread per port waits in poll(2) and moves
/// bytes into a bounded ring (4 KiB; on overflow the oldest bytes go and are counted in
/// <see cref="OverrunBytes"/>), and <see cref="ReadAsync"/> awaits data with cancellation, so a
/// read timeout is just a cancelled token. VMIN = VTIME = 0 (the fd is non-blocking).
/// </para>
/// </summary>
public sealed class SerialPort : IByteChannel
{
    private const int RingSize = 4096;
    private const int PollSliceMs = 100;

    private readonly int _fd;
    private readonly byte[] _ring = new byte[RingSize];
    private readonly object _gate = new();
    private readonly SemaphoreSlim _dataArrived = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _reader;
    private int _head;
    private int _count;
    private long _overrun;
    private string? _fault;
    private int _disposed;

    private SerialPort(int fd, SerialPortSettings settings, bool rs485Enabled)
    {
        _fd = fd;
        Settings = settings;
        Rs485Enabled = rs485Enabled;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"serial {settings.Port}" };
        _reader.Start();
    }

    public SerialPortSettings Settings { get; }

    /// <summary>True when the kernel accepted RS-485 mode (TIOCSRS485).</summary>
    public bool Rs485Enabled { get; }

    /// <summary>Bytes lost because the ring was full (the reader of this port fell behind).</summary>
    public long OverrunBytes => Interlocked.Read(ref _overrun);

    /// <summary>Opens and configures the port; throws <see cref="IOException"/> with the errno text when it cannot.</summary>
    public static SerialPort Open(SerialPortSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var speed = SpeedOf(settings.Baud) ?? throw new ArgumentException($"unsupported baud rate {settings.Baud}", nameof(settings));
        if (settings.DataBits is < 5 or > 8 || settings.StopBits is < 1 or > 2)
        {
            throw new ArgumentException($"unsupported frame {settings.DataBits} data / {settings.StopBits} stop bits", nameof(settings));
        }
        var fd = Libc.Open(settings.Port, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
        {
            throw Error("open", settings.Port);
        }
        try
        {
            Configure(fd, settings, speed);
            var rs485 = settings.Rs485 && TryEnableRs485(fd);
            if (Libc.TcFlush(fd, TCIOFLUSH) != 0)
            {
                throw Error("tcflush", settings.Port);
            }
            return new SerialPort(fd, settings, rs485);
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    /// <summary>A connector for transports that reopen the port after a failure.</summary>
    public static ByteChannelConnector Connector(SerialPortSettings settings) =>
        _ => ValueTask.FromResult<IByteChannel>(Open(settings));

    /// <summary>Raw mode and the line settings (termios(3)); exposed for the layout tests.</summary>
    internal static unsafe Termios BuildTermios(Termios current, SerialPortSettings settings, uint speed)
    {
        var t = current;
        Libc.CfMakeRaw(&t);
        t.CFlag &= ~(CSIZE | CSTOPB | PARENB | PARODD | CRTSCTS | HUPCL);
        t.CFlag |= CLOCAL | CREAD | settings.DataBits switch { 5 => CS5, 6 => CS6, 7 => CS7, _ => CS8 };
        if (settings.StopBits == 2)
        {
            t.CFlag |= CSTOPB;
        }
        if (settings.Parity != SerialParity.None)
        {
            t.CFlag |= PARENB;
            t.IFlag |= INPCK;
            if (settings.Parity == SerialParity.Odd)
            {
                t.CFlag |= PARODD;
            }
        }
        t.ControlChars[VMIN] = 0;
        t.ControlChars[VTIME] = 0;
        if (Libc.CfSetISpeed(&t, speed) != 0 || Libc.CfSetOSpeed(&t, speed) != 0)
        {
            throw Error($"cfsetspeed {settings.Baud} on", settings.Port);
        }
        return t;
    }

    private static unsafe void Configure(int fd, SerialPortSettings settings, uint speed)
    {
        Termios current;
        if (Libc.TcGetAttr(fd, &current) != 0)
        {
            throw Error("tcgetattr (not a terminal?)", settings.Port);
        }
        var wanted = BuildTermios(current, settings, speed);
        if (Libc.TcSetAttr(fd, TCSANOW, &wanted) != 0)
        {
            throw Error("tcsetattr", settings.Port);
        }
    }

    private static unsafe bool TryEnableRs485(int fd)
    {
        SerialRs485 rs485 = default;
        if (Libc.Ioctl(fd, TIOCGRS485, &rs485) != 0)
        {
            return false;
        }
        // RTS high (driver enabled) while sending, low after: the usual transceiver wiring.
        rs485.Flags |= SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND;
        rs485.Flags &= ~SER_RS485_RTS_AFTER_SEND;
        return Libc.Ioctl(fd, TIOCSRS485, &rs485) == 0;
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                if (_count > 0)
                {
                    return TakeLocked(buffer.Span);
                }
                if (_fault is not null)
                {
                    throw new IOException(_fault);
                }
            }
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            await _dataArrived.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        while (!data.IsEmpty)
        {
            var written = WriteSome(data.Span);
            if (written > 0)
            {
                data = data[(int)written..];
                continue;
            }
            // The kernel's transmit buffer is full: wait for the UART to drain some.
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    private unsafe nint WriteSome(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var n = Libc.Write(_fd, p, (nuint)data.Length);
            if (n >= 0)
            {
                return n;
            }
            var errno = Marshal.GetLastPInvokeError();
            return errno is EAGAIN or EINTR ? 0 : throw Error("write", Settings.Port, errno);
        }
    }

    public int DiscardInput()
    {
        lock (_gate)
        {
            var n = _count;
            _count = 0;
            return n;
        }
    }

    private int TakeLocked(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _count);
        var first = Math.Min(n, RingSize - _head);
        _ring.AsSpan(_head, first).CopyTo(destination);
        _ring.AsSpan(0, n - first).CopyTo(destination[first..]);
        _head = (_head + n) % RingSize;
        _count -= n;
        return n;
    }

    private void PutLocked(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            if (_count == RingSize)
            {
                _head = (_head + 1) % RingSize;
                _count--;
                _overrun++;
            }
            _ring[(_head + _count) % RingSize] = b;
            _count++;
        }
    }

    private unsafe void ReadLoop()
    {
        var token = _stop.Token;
        Span<byte> chunk = stackalloc byte[512];
        var fds = new PollFd { Fd = _fd, Events = POLLIN };
        while (!token.IsCancellationRequested)
        {
            fds.REvents = 0;
            var ready = Libc.Poll(&fds, 1, PollSliceMs);
            if (ready < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }
                Fail($"poll: {Marshal.GetPInvokeErrorMessage(errno)}");
                return;
            }
            if (ready == 0)
            {
                continue;
            }
            if ((fds.REvents & POLLIN) == 0 && (fds.REvents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
            {
                Fail($"{Settings.Port} hung up or failed (revents 0x{fds.REvents:x})");
                return;
            }
            nint n;
            fixed (byte* p = chunk)
            {
                n = Libc.Read(_fd, p, (nuint)chunk.Length);
            }
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is EAGAIN or EINTR)
                {
                    continue;
                }
                Fail($"read {Settings.Port}: {Marshal.GetPInvokeErrorMessage(errno)}");
                return;
            }
            if (n == 0)
            {
                Fail($"{Settings.Port} closed");
                return;
            }
            lock (_gate)
            {
                PutLocked(chunk[..(int)n]);
            }
            Signal();
        }
    }

    private void Fail(string why)
    {
        lock (_gate)
        {
            _fault = why;
        }
        Signal();
    }

    private void Signal()
    {
        if (_dataArrived.CurrentCount == 0)
        {
            try
            {
                _dataArrived.Release();
            }
            catch (SemaphoreFullException)
            {
                // another signal won the race; one is enough
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Cancel();
            // The reader wakes from poll within one slice; close the fd only after it has left.
            _reader.Join(TimeSpan.FromMilliseconds(PollSliceMs * 3));
            Libc.Close(_fd);
            _stop.Dispose();
            Signal(); // wake a pending ReadAsync so that it sees the port is gone
        }
        return ValueTask.CompletedTask;
    }
}
