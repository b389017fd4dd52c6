using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Mqtt.Transport;

namespace Gateway.Tests.Sync.Mqtt.Transport;

public class MqttChannelTests
{
    [Fact]
    public async Task Reads_packets_that_arrive_one_byte_at_a_time_and_back_to_back()
    {
        var bytes = new List<byte>();
        for (var i = 1; i <= 50; i++)
        {
            var packet = new PubAckPacket((ushort)i);
            var encoded = new byte[MqttPacketCodec.GetEncodedLength(packet, MqttProtocolVersion.V311)];
            MqttPacketCodec.Encode(packet, MqttProtocolVersion.V311, encoded);
            bytes.AddRange(encoded);
        }
        var large = new byte[20_000];
        var publish = new PublishPacket { Message = new Gateway.Sync.Mqtt.MqttApplicationMessage("t", large), PacketId = 7 };
        var publishBytes = new byte[MqttPacketCodec.GetEncodedLength(publish, MqttProtocolVersion.V311)];
        MqttPacketCodec.Encode(publish, MqttProtocolVersion.V311, publishBytes);
        bytes.AddRange(publishBytes);

        await using var channel = new MqttChannel(new TricklingStream([.. bytes]), 64 * 1024);
        for (var i = 1; i <= 50; i++)
        {
            var received = await channel.ReadPacketAsync(CancellationToken.None);
            Assert.True(MqttPacketCodec.TryDecode(received.FirstByte, received.Body.Span, MqttProtocolVersion.V311, out var packet, out _));
            Assert.Equal(i, Assert.IsType<PubAckPacket>(packet).PacketId);
        }
        var last = await channel.ReadPacketAsync(CancellationToken.None);
        Assert.True(MqttPacketCodec.TryDecode(last.FirstByte, last.Body.Span, MqttProtocolVersion.V311, out var big, out _));
        Assert.Equal(large.Length, Assert.IsType<PublishPacket>(big).Message.Payload.Length);
    }

    [Fact]
    public async Task A_packet_above_the_maximum_size_is_a_protocol_error_before_its_body_is_read()
    {
        // remaining length 2,000,000 announced, only a few bytes follow: refused on the header alone
        await using var channel = new MqttChannel(new MemoryStream([0x30, 0x80, 0x89, 0x7A, 0, 1, (byte)'a']), 1024 * 1024);
        var error = await Assert.ThrowsAsync<MqttProtocolException>(async () => await channel.ReadPacketAsync(CancellationToken.None));
        Assert.Contains("exceeds the maximum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_five_byte_remaining_length_is_a_protocol_error()
    {
        await using var channel = new MqttChannel(new MemoryStream([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]), 1024);
        await Assert.ThrowsAsync<MqttProtocolException>(async () => await channel.ReadPacketAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_stream_ending_mid_packet_is_reported_as_such()
    {
        await using var channel = new MqttChannel(new MemoryStream([0x40, 2, 0]), 1024);
        var error = await Assert.ThrowsAsync<EndOfStreamException>(async () => await channel.ReadPacketAsync(CancellationToken.None));
        Assert.Contains("mid-packet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_ending_between_packets_is_a_plain_close()
    {
        await using var channel = new MqttChannel(new MemoryStream([0xD0, 0]), 1024);
        await channel.ReadPacketAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<EndOfStreamException>(async () => await channel.ReadPacketAsync(CancellationToken.None));
        Assert.DoesNotContain("mid-packet", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Hands out one byte per read, like a slow link splitting every packet.</summary>
    private sealed class TricklingStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
