using System.Runtime.InteropServices;
using Gateway.Drivers.Interop;
using Gateway.Drivers.Modbus.Protocol;
using Gateway.Drivers.Serial.Interop;

namespace Gateway.Simulation.Modbus;

/// <summary>
/// A Modbus RTU slave on the master side of a pseudo-terminal (Modbus over Serial Line v1.02): the
/// gateway's RTU driver, pymodbus or mbpoll open <see cref="SlavePath"/> as they would an RS-485
/// adapter, and no socat is needed. A frame ends at a silent interval of t3.5 (section 2.5.1.1);
/// one with a bad CRC, too short or too long is dropped without an answer, as a device on a noisy
/// bus does, and so is a request to another unit.
/// </summary>
public sealed unsafe class PtyModbusRtuSlave : IDisposable
{
    // A frame is at most 256 bytes (section 2.5.1.1); more before a silence is noise.
    private const int MaxFrame = 256;

    private readonly int _master;
    private readonly int _slaveHold;
    private readonly int _wakeRead;
    private readonly int _wakeWrite;
    private readonly int _silenceMs;
    private readonly ModbusResponder _responder;
    private readonly Thread _thread;
    private int _answered;
    private int _dropped;
    private int _otherUnits;
    private int _disposed;

    /// <param name="baud">Sets the line's termios speed and the t3.5 silence; a pty carries bytes at any speed.</param>
    public PtyModbusRtuSlave(ModbusRegisterMap registers, byte unitId = 1, int baud = 9600)
    {
        ArgumentNullException.ThrowIfNull(registers);
        UnitId = unitId;
        var speed = SerialConstants.SpeedOf(baud) ?? throw new ArgumentOutOfRangeException(nameof(baud), baud, "no termios speed for this baud rate");
        // poll(2) counts whole milliseconds: the silence is t3.5 rounded up, never shorter.
        _silenceMs = (int)Math.Ceiling(RtuTiming.ForBaud(baud).T35.TotalMilliseconds);
        _responder = new ModbusResponder(registers);

        // Non-blocking: an answer nobody reads must not block this thread (and Dispose) once the pty's buffer is full.
        _master = Libc.PosixOpenPt(Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (_master < 0)
        {
            throw Libc.Error("posix_openpt", "/dev/ptmx");
        }
        try
        {
            if (Libc.GrantPt(_master) != 0 || Libc.UnlockPt(_master) != 0)
            {
                throw Libc.Error("grantpt/unlockpt", "/dev/ptmx");
            }
            var name = stackalloc byte[128];
            var errno = Libc.PtsNameR(_master, name, 128);
            if (errno != 0)
            {
                throw Libc.Error("ptsname_r", "/dev/ptmx", errno);
            }
            SlavePath = Marshal.PtrToStringUTF8((nint)name)!;
            // Termios set on a master apply to its slave (the kernel's pty pair shares them): raw, so that
            // neither echo nor CR/LF translation touches a binary frame before the client sets its own.
            MakeRaw(_master, speed);
            // Held open so the master never sees the hang-up (EIO, POLLHUP) of a slave nobody has open,
            // e.g. while the gateway reopens the port.
            _slaveHold = Libc.Open(SlavePath, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC);
            if (_slaveHold < 0)
            {
                throw Libc.Error("open", SlavePath);
            }
            var pipe = stackalloc int[2];
            if (Libc.Pipe2(pipe, Libc.O_CLOEXEC) != 0)
            {
                Libc.Close(_slaveHold);
                throw Libc.Error("pipe2 for", SlavePath);
            }
            (_wakeRead, _wakeWrite) = (pipe[0], pipe[1]);
        }
        catch
        {
            Libc.Close(_master);
            throw;
        }
        _thread = new Thread(Serve) { IsBackground = true, Name = $"rtu slave {SlavePath}" };
        _thread.Start();
    }

    /// <summary>The device a master opens, e.g. /dev/pts/3.</summary>
    public string SlavePath { get; }

    public byte UnitId { get; }

    /// <summary>Requests answered (normal or exception responses), counted as the answer goes out.</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>Frames dropped without an answer: bad CRC, shorter than 4 or longer than 256 bytes.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>Well-formed requests to another unit (or broadcasts), left unanswered.</summary>
    public int OtherUnits => Volatile.Read(ref _otherUnits);

    private static void MakeRaw(int fd, uint speed)
    {
        Termios t;
        if (Libc.TcGetAttr(fd, &t) != 0)
        {
            throw Libc.Error("tcgetattr", "/dev/ptmx");
        }
        Libc.CfMakeRaw(&t);
        if (Libc.CfSetISpeed(&t, speed) != 0 || Libc.CfSetOSpeed(&t, speed) != 0 || Libc.TcSetAttr(fd, SerialConstants.TCSANOW, &t) != 0)
        {
            throw Libc.Error("tcsetattr", "/dev/ptmx");
        }
    }

    private void Serve()
    {
        var frame = new byte[MaxFrame + 1];
        var response = new byte[ModbusLimits.MaxPduLength + RtuFrame.Overhead];
        var length = 0;
        var overlong = false;
        var fds = stackalloc PollFd[2];
        while (true)
        {
            fds[0] = new PollFd { Fd = _master, Events = Libc.POLLIN };
            fds[1] = new PollFd { Fd = _wakeRead, Events = Libc.POLLIN };
            var ready = Libc.Poll(fds, 2, length == 0 && !overlong ? -1 : _silenceMs);
            if (ready < 0)
            {
                if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                {
                    continue;
                }
                return;
            }
            if (fds[1].REvents != 0)
            {
                return;
            }
            if (ready == 0)
            {
                // t3.5 of silence: the frame is complete.
                if (overlong)
                {
                    Interlocked.Increment(ref _dropped);
                }
                else
                {
                    Handle(frame, length, response);
                }
                length = 0;
                overlong = false;
                continue;
            }
            if ((fds[0].REvents & Libc.POLLIN) == 0)
            {
                // Hang-up or error on the master: cannot happen while the slave is held open; do not spin if it
                // does — wait 50 ms on the stop pipe alone, so that a stop still ends the thread at once.
                if (Libc.Poll(fds + 1, 1, 50) > 0)
                {
                    return;
                }
                continue;
            }
            nint n;
            fixed (byte* p = frame)
            {
                // Past 256 bytes the rest is read into the spare byte and thrown away until the line falls silent.
                n = overlong ? Libc.Read(_master, p + MaxFrame, 1) : Libc.Read(_master, p + length, (nuint)(frame.Length - length));
            }
            if (n <= 0)
            {
                continue;
            }
            if (!overlong)
            {
                length += (int)n;
                overlong = length > MaxFrame;
            }
        }
    }

    private void Handle(byte[] frame, int length, byte[] response)
    {
        if (!RtuFrame.TryParse(frame.AsSpan(0, length), out var unit, out var pdu) || pdu.IsEmpty)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        if (unit != UnitId)
        {
            Interlocked.Increment(ref _otherUnits);
            return;
        }
        var pduLength = _responder.Answer(frame.AsMemory(1, pdu.Length), _responder.Pdu);
        var size = RtuFrame.Write(unit, _responder.Pdu.AsSpan(0, pduLength), response);
        // Counted before it leaves, so a master that has the answer always sees it counted.
        Interlocked.Increment(ref _answered);
        fixed (byte* p = response)
        {
            for (var sent = 0; sent < size;)
            {
                var n = Libc.Write(_master, p + sent, (nuint)(size - sent));
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                    {
                        continue;
                    }
                    return; // EAGAIN: nobody reads the line; the master will time out as on a real bus
                }
                sent += (int)n;
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        byte one = 1;
        Libc.Write(_wakeWrite, &one, 1);
        _thread.Join();
        Libc.Close(_wakeWrite);
        Libc.Close(_wakeRead);
        Libc.Close(_slaveHold);
        Libc.Close(_master);
    }
}
