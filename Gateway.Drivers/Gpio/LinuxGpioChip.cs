using System.Text;
using Gateway.Drivers.Gpio.Interop;
using Gateway.Drivers.Interop;

namespace Gateway.Drivers.Gpio;

/// <summary>
/// A kernel GPIO chip through the character device uAPI v2 (GPIO_V2_GET_LINE_IOCTL and friends).
/// The chip fd stays open for the process; each requested line gets its own request fd.
/// </summary>
internal sealed unsafe class LinuxGpioChip : IGpioChip, IDisposable
{
    private readonly int _fd;

    public LinuxGpioChip(string path)
    {
        Name = path;
        _fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (_fd < 0)
        {
            throw Libc.Error("cannot open GPIO chip", path);
        }
    }

    public string Name { get; }

    public IGpioInputLine RequestInput(GpioInputRequest request)
    {
        var flags = GpioV2Uapi.FlagInput | GpioV2Uapi.FlagEdgeRising | GpioV2Uapi.FlagEdgeFalling | BiasFlags(request.Bias);
        if (request.ActiveLow)
        {
            flags |= GpioV2Uapi.FlagActiveLow;
        }
        var debounceUs = (ulong)request.KernelDebounce.TotalMicroseconds;
        if (debounceUs > 0)
        {
            // Kernels before 5.10 and some chips refuse the debounce attribute; then the
            // drivers' software debounce alone applies.
            var withDebounce = TryRequest(request.Line, flags, debounceUs, outputValue: null, request.Consumer);
            if (withDebounce >= 0)
            {
                return new LinuxGpioInputLine(withDebounce, request.Line, kernelDebounced: true, Name);
            }
        }
        var fd = TryRequest(request.Line, flags, 0, outputValue: null, request.Consumer);
        if (fd < 0)
        {
            throw Libc.Error($"cannot request line {request.Line} of", Name);
        }
        return new LinuxGpioInputLine(fd, request.Line, kernelDebounced: false, Name);
    }

    public IGpioOutputLine RequestOutput(int line, bool activeLow, bool initialActive, string consumer)
    {
        var flags = GpioV2Uapi.FlagOutput | (activeLow ? GpioV2Uapi.FlagActiveLow : 0);
        var fd = TryRequest(line, flags, 0, initialActive, consumer);
        if (fd < 0)
        {
            throw Libc.Error($"cannot request output line {line} of", Name);
        }
        return new LinuxGpioOutputLine(fd, line, Name);
    }

    /// <summary>Issues GPIO_V2_GET_LINE_IOCTL for one line; returns the request fd or -1 (errno set).</summary>
    private int TryRequest(int line, ulong flags, ulong debounceUs, bool? outputValue, string consumer)
    {
        var request = default(GpioV2Uapi.LineRequest);
        request.Offsets[0] = (uint)line;
        request.NumLines = 1;
        request.EventBufferSize = 256; // kernel default is 16 per line: too few for a bouncy meter contact
        var name = Encoding.UTF8.GetBytes(consumer);
        var length = Math.Min(name.Length, GpioV2Uapi.MaxNameSize - 1);
        for (var i = 0; i < length; i++)
        {
            request.Consumer[i] = name[i];
        }
        request.Config.Flags = flags;
        var attrs = 0;
        if (debounceUs > 0)
        {
            request.Config.Attrs[attrs].Attribute.Id = GpioV2Uapi.AttrIdDebounce;
            request.Config.Attrs[attrs].Attribute.Value = (uint)Math.Min(debounceUs, uint.MaxValue);
            request.Config.Attrs[attrs].Mask = 1; // bit 0 = the first (only) requested line
            attrs++;
        }
        if (outputValue is { } value)
        {
            request.Config.Attrs[attrs].Attribute.Id = GpioV2Uapi.AttrIdOutputValues;
            request.Config.Attrs[attrs].Attribute.Value = value ? 1UL : 0UL;
            request.Config.Attrs[attrs].Mask = 1;
            attrs++;
        }
        request.Config.NumAttrs = (uint)attrs;
        return Libc.Ioctl(_fd, GpioV2Uapi.GetLineIoctl, &request) < 0 ? -1 : request.Fd;
    }

    private static ulong BiasFlags(GpioBias bias) => bias switch
    {
        GpioBias.PullUp => GpioV2Uapi.FlagBiasPullUp,
        GpioBias.PullDown => GpioV2Uapi.FlagBiasPullDown,
        GpioBias.Disabled => GpioV2Uapi.FlagBiasDisabled,
        _ => 0,
    };

    /// <summary>GPIO_V2_LINE_GET_VALUES_IOCTL for a one-line request (bit 0).</summary>
    internal static bool GetValue(int requestFd, string chip)
    {
        var values = new GpioV2Uapi.LineValues { Mask = 1 };
        if (Libc.Ioctl(requestFd, GpioV2Uapi.LineGetValuesIoctl, &values) < 0)
        {
            throw Libc.Error("cannot read a line of", chip);
        }
        return (values.Bits & 1) != 0;
    }

    public void Dispose() => Libc.Close(_fd);
}
