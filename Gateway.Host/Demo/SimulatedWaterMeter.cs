using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Host.Demo;

/// <summary>
/// The demo pole's water meter: a Modbus TCP server (Modbus Messaging on TCP/IP Implementation
/// Guide v1.0b, MBAP header) on 127.0.0.1 whose input registers follow
/// profiles/water-meter-generic.json — a flow rate that swings through the day and a total that
/// integrates it. It answers function codes 3 and 4 and refuses everything else with exception 1
/// (Modbus Application Protocol v1.1b3 §7); it exists so that `demo` needs no hardware.
/// </summary>
internal sealed class SimulatedWaterMeter : IAsyncDisposable
{
    private const int Registers = 16;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly Task _accepting;

    public SimulatedWaterMeter(TimeProvider time)
    {
        _time = time;
        _started = time.GetTimestamp();
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The register image now: litres in 0-1 (CDAB), m3/h as f32 in 2-3 (CDAB), temperature, status bits, battery.</summary>
    internal ushort[] Image()
    {
        var seconds = _time.GetElapsedTime(_started).TotalSeconds;
        var flow = 12.0 + (6.0 * Math.Sin(seconds / 30.0)); // m3/h
        var litres = (uint)(1_234_567 + (seconds * (12.0 / 3.6))); // ~12 m3/h on average, in litres
        var image = new ushort[Registers];
        image[0] = (ushort)(litres & 0xFFFF); // CDAB: low word first
        image[1] = (ushort)(litres >> 16);
        var flowBits = BitConverter.SingleToUInt32Bits((float)flow);
        image[2] = (ushort)(flowBits & 0xFFFF);
        image[3] = (ushort)(flowBits >> 16);
        image[6] = unchecked((ushort)(short)Math.Round(1450 + (50 * Math.Sin(seconds / 300.0)))); // 14.5 °C
        image[7] = 0; // no alarms
        image[8] = 361; // 3.61 V
        return image;
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        var clients = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                clients.RemoveAll(t => t.IsCompleted);
                clients.Add(ServeAsync(client, cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        await Task.WhenAll(clients).ConfigureAwait(false);
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var _ = client;
        var stream = client.GetStream();
        var header = new byte[7];
        var pdu = new byte[260];
        var reply = new byte[7 + 2 + (2 * 125)];
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
                var length = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(4));
                if (BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2)) != 0 || length is < 2 or > 254)
                {
                    return; // not Modbus: drop the connection
                }
                await stream.ReadExactlyAsync(pdu.AsMemory(0, length - 1), cancellationToken).ConfigureAwait(false);
                var size = Answer(pdu.AsSpan(0, length - 1), reply.AsSpan(7));
                header.AsSpan(0, 4).CopyTo(reply);
                BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(4), (ushort)(size + 1));
                reply[6] = header[6];
                await stream.WriteAsync(reply.AsMemory(0, 7 + size), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or OperationCanceledException or SocketException)
        {
            // the gateway closed the connection, or the demo stops
        }
    }

    /// <summary>Writes the response PDU for a request PDU; returns its length.</summary>
    private int Answer(ReadOnlySpan<byte> request, Span<byte> response)
    {
        var function = request[0];
        if (function is not (3 or 4) || request.Length != 5)
        {
            return Exception(function, 1, response); // illegal function
        }
        var address = BinaryPrimitives.ReadUInt16BigEndian(request[1..]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        if (count is 0 or > 125)
        {
            return Exception(function, 3, response); // illegal data value
        }
        if (address + count > Registers)
        {
            return Exception(function, 2, response); // illegal data address
        }
        var image = Image();
        response[0] = function;
        response[1] = (byte)(count * 2);
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(response[(2 + (i * 2))..], image[address + i]);
        }
        return 2 + (count * 2);
    }

    private static int Exception(byte function, byte code, Span<byte> response)
    {
        response[0] = (byte)(function | 0x80);
        response[1] = code;
        return 2;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }
}
