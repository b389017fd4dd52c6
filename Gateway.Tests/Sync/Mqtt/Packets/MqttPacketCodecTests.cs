using System.Text;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Mqtt.Transport;

namespace Gateway.Tests.Sync.Mqtt.Packets;

public class MqttPacketCodecTests
{
    public static TheoryData<MqttProtocolVersion> Versions => new() { MqttProtocolVersion.V311, MqttProtocolVersion.V500 };

    private static byte[] Encode(IMqttPacket packet, MqttProtocolVersion version)
    {
        var bytes = new byte[MqttPacketCodec.GetEncodedLength(packet, version)];
        Assert.Equal(bytes.Length, MqttPacketCodec.Encode(packet, version, bytes));
        return bytes;
    }

    // Encodes, frames the bytes back through an in-memory stream, and decodes.
    private static async Task<T> RoundTrip<T>(T packet, MqttProtocolVersion version)
        where T : IMqttPacket
    {
        var bytes = Encode(packet, version);
        await using var channel = new MqttChannel(new MemoryStream(bytes), 1024 * 1024);
        var received = await channel.ReadPacketAsync(CancellationToken.None);
        Assert.True(MqttPacketCodec.TryDecode(received.FirstByte, received.Body.Span, version, out var decoded, out var error), error);
        return Assert.IsType<T>(decoded);
    }

    [Fact]
    public void Connect_3_1_1_matches_the_bytes_of_the_specification()
    {
        // MQTT 3.1.1 §3.1: fixed header 0x10, "MQTT", level 4, flags (clean session), keep alive 60, client id "a"
        var packet = new ConnectPacket { ClientId = "a", CleanStart = true, KeepAliveSeconds = 60 };
        Assert.Equal(
            new byte[] { 0x10, 13, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0x02, 0, 60, 0, 1, (byte)'a' },
            Encode(packet, MqttProtocolVersion.V311));
    }

    [Fact]
    public void Connect_5_0_carries_its_properties_after_the_keep_alive()
    {
        var packet = new ConnectPacket { ClientId = "a", KeepAliveSeconds = 30, ReceiveMaximum = 20 };
        // 5.0 §3.1.2.11: property length 3, Receive Maximum (0x21) = 20
        Assert.Equal(
            new byte[] { 0x10, 17, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 0x00, 0, 30, 3, 0x21, 0, 20, 0, 1, (byte)'a' },
            Encode(packet, MqttProtocolVersion.V500));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Connect_round_trips_with_will_and_credentials(MqttProtocolVersion version)
    {
        var will = new MqttApplicationMessage("city/pole-1/status", Encoding.UTF8.GetBytes("{\"state\":\"offline\"}"), MqttQualityOfService.AtLeastOnce, retain: true);
        var sent = new ConnectPacket
        {
            ClientId = "pole-1", CleanStart = false, KeepAliveSeconds = 45, Username = "user", Password = Encoding.UTF8.GetBytes("sécret"),
            Will = will, SessionExpiryInterval = 3600, ReceiveMaximum = 10, MaximumPacketSize = 65536,
        };
        var got = await RoundTrip(sent, version);
        Assert.Equal("pole-1", got.ClientId);
        Assert.False(got.CleanStart);
        Assert.Equal(45, got.KeepAliveSeconds);
        Assert.Equal("user", got.Username);
        Assert.Equal("sécret", Encoding.UTF8.GetString(got.Password!.Value.Span));
        Assert.Equal(will.Topic, got.Will!.Topic);
        Assert.Equal(will.Payload.ToArray(), got.Will.Payload.ToArray());
        Assert.True(got.Will.Retain);
        Assert.Equal(MqttQualityOfService.AtLeastOnce, got.Will.Qos);
        var v5 = version == MqttProtocolVersion.V500;
        Assert.Equal(v5 ? 3600u : 0u, got.SessionExpiryInterval);
        Assert.Equal(v5 ? (ushort)10 : (ushort)0, got.ReceiveMaximum);
        Assert.Equal(v5 ? 65536u : 0u, got.MaximumPacketSize);
    }

    [Fact]
    public async Task ConnAck_5_0_round_trips_every_property_the_client_honours()
    {
        var sent = new ConnAckPacket
        {
            SessionPresent = true, ReasonCode = 0, ReceiveMaximum = 7, MaximumPacketSize = 4096, MaximumQos = 1, RetainAvailable = true,
            SessionExpiryInterval = 60, AssignedClientIdentifier = "auto-1", ServerKeepAlive = 20, TopicAliasMaximum = 5, ReasonString = "ok",
        };
        Assert.Equal(sent, await RoundTrip(sent, MqttProtocolVersion.V500));
    }

    [Fact]
    public async Task ConnAck_3_1_1_is_two_bytes()
    {
        var sent = new ConnAckPacket { SessionPresent = false, ReasonCode = 5 };
        Assert.Equal(new byte[] { 0x20, 2, 0, 5 }, Encode(sent, MqttProtocolVersion.V311));
        Assert.Equal(sent, await RoundTrip(sent, MqttProtocolVersion.V311));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Publish_round_trips_at_both_qos_levels(MqttProtocolVersion version)
    {
        var payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray(); // a two-byte remaining length
        var qos1 = await RoundTrip(new PublishPacket { Message = new MqttApplicationMessage("a/b", payload, MqttQualityOfService.AtLeastOnce, retain: true), PacketId = 513, Duplicate = true }, version);
        Assert.Equal("a/b", qos1.Message.Topic);
        Assert.Equal(payload, qos1.Message.Payload.ToArray());
        Assert.Equal(513, qos1.PacketId);
        Assert.True(qos1.Duplicate);
        Assert.True(qos1.Message.Retain);
        var qos0 = await RoundTrip(new PublishPacket { Message = new MqttApplicationMessage("x", Array.Empty<byte>(), MqttQualityOfService.AtMostOnce) }, version);
        Assert.Equal(MqttQualityOfService.AtMostOnce, qos0.Message.Qos);
        Assert.Equal(0, qos0.PacketId);
        Assert.Empty(qos0.Message.Payload.ToArray());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, 0, null, new byte[] { 0x40, 2, 0x12, 0x34 })]
    [InlineData(MqttProtocolVersion.V500, 0, null, new byte[] { 0x40, 2, 0x12, 0x34 })]
    [InlineData(MqttProtocolVersion.V500, 0x87, null, new byte[] { 0x40, 3, 0x12, 0x34, 0x87 })]
    [InlineData(MqttProtocolVersion.V500, 0x97, "quota", new byte[] { 0x40, 12, 0x12, 0x34, 0x97, 8, 0x1F, 0, 5, (byte)'q', (byte)'u', (byte)'o', (byte)'t', (byte)'a' })]
    public async Task PubAck_encodes_the_short_forms_of_MQTT_5_section_3_4_2_1(MqttProtocolVersion version, byte reason, string? reasonString, byte[] expected)
    {
        var sent = new PubAckPacket(0x1234, reason, reasonString);
        Assert.Equal(expected, Encode(sent, version));
        Assert.Equal(sent, await RoundTrip(sent, version));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Subscribe_and_SubAck_round_trip(MqttProtocolVersion version)
    {
        var subscribe = await RoundTrip(new SubscribePacket { PacketId = 9, Subscriptions = [new("city/p/cmd/#"), new("x/+", MqttQualityOfService.AtMostOnce)] }, version);
        Assert.Equal(9, subscribe.PacketId);
        Assert.Equal([new MqttSubscription("city/p/cmd/#"), new MqttSubscription("x/+", MqttQualityOfService.AtMostOnce)], subscribe.Subscriptions);
        Assert.Equal(0x82, Encode(subscribe, version)[0]); // §3.8.1: flags 0010

        var subAck = await RoundTrip(new SubAckPacket { PacketId = 9, ReasonCodes = [1, 0x80], ReasonString = version == MqttProtocolVersion.V500 ? "no" : null }, version);
        Assert.Equal(9, subAck.PacketId);
        Assert.Equal(new byte[] { 1, 0x80 }, subAck.ReasonCodes);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Ping_and_disconnect_round_trip(MqttProtocolVersion version)
    {
        Assert.Equal(new byte[] { 0xC0, 0 }, Encode(PingReqPacket.Instance, version));
        Assert.Equal(new byte[] { 0xD0, 0 }, Encode(PingRespPacket.Instance, version));
        Assert.Same(PingReqPacket.Instance, await RoundTrip(PingReqPacket.Instance, version));
        Assert.Same(PingRespPacket.Instance, await RoundTrip(PingRespPacket.Instance, version));
        Assert.Equal(new byte[] { 0xE0, 0 }, Encode(DisconnectPacket.Normal, version));
        Assert.Equal(DisconnectPacket.Normal, await RoundTrip(DisconnectPacket.Normal, version));
    }

    [Fact]
    public async Task Disconnect_5_0_from_the_broker_keeps_reason_code_and_string()
    {
        var sent = new DisconnectPacket(0x8B, "server shutting down");
        Assert.Equal(sent, await RoundTrip(sent, MqttProtocolVersion.V500));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(127, 1)]
    [InlineData(128, 2)]
    [InlineData(16_383, 2)]
    [InlineData(16_384, 3)]
    [InlineData(2_097_151, 3)]
    [InlineData(2_097_152, 4)]
    [InlineData(268_435_455, 4)]
    public void Variable_byte_integer_boundaries_of_section_1_5_5(int value, int size)
    {
        Span<byte> buffer = stackalloc byte[4];
        Assert.Equal(size, MqttVariableByteInteger.Write(buffer, value));
        Assert.Equal(MqttVariableByteInteger.Status.Ok, MqttVariableByteInteger.TryRead(buffer[..size], out var read, out var length));
        Assert.Equal(value, read);
        Assert.Equal(size, length);
        Assert.Equal(MqttVariableByteInteger.Status.NeedMoreData, MqttVariableByteInteger.TryRead(buffer[..(size - 1)], out _, out _));
    }

    [Fact]
    public void Variable_byte_integer_of_five_bytes_is_malformed()
    {
        Assert.Equal(MqttVariableByteInteger.Status.Malformed, MqttVariableByteInteger.TryRead([0xFF, 0xFF, 0xFF, 0xFF, 0x01], out _, out _));
    }

    public static TheoryData<string, byte[], MqttProtocolVersion> MalformedPackets => new()
    {
        { "PUBLISH with QoS 3", [0x36, 5, 0, 1, (byte)'a', 0, 1], MqttProtocolVersion.V311 },
        { "PUBLISH QoS 0 with DUP", [0x38, 3, 0, 1, (byte)'a'], MqttProtocolVersion.V311 },
        { "PUBLISH topic with wildcard", [0x30, 3, 0, 1, (byte)'#'], MqttProtocolVersion.V311 },
        { "PUBLISH topic not UTF-8", [0x30, 4, 0, 2, 0xC3, 0x28], MqttProtocolVersion.V311 },
        { "PUBLISH topic with U+0000", [0x30, 3, 0, 1, 0], MqttProtocolVersion.V311 },
        { "PUBLISH topic length beyond the packet", [0x30, 3, 0, 9, (byte)'a'], MqttProtocolVersion.V311 },
        { "PUBLISH QoS 1 with packet id 0", [0x32, 5, 0, 1, (byte)'a', 0, 0], MqttProtocolVersion.V311 },
        { "PUBLISH with a topic alias", [0x30, 7, 0, 1, (byte)'a', 3, 0x23, 0, 1], MqttProtocolVersion.V500 },
        { "PUBLISH with an unknown property", [0x30, 6, 0, 1, (byte)'a', 2, 0x7F, 0], MqttProtocolVersion.V500 },
        { "PUBLISH property block beyond the packet", [0x30, 5, 0, 1, (byte)'a', 9, 0x01], MqttProtocolVersion.V500 },
        { "PUBACK 3.1.1 with trailing bytes", [0x40, 3, 0, 1, 0], MqttProtocolVersion.V311 },
        { "PUBACK truncated", [0x40, 1, 0], MqttProtocolVersion.V311 },
        { "PUBACK with flags", [0x42, 2, 0, 1], MqttProtocolVersion.V311 },
        { "CONNACK with reserved flag bits", [0x20, 2, 0x02, 0], MqttProtocolVersion.V311 },
        { "CONNACK Receive Maximum 0", [0x20, 6, 0, 0, 3, 0x21, 0, 0], MqttProtocolVersion.V500 },
        { "SUBACK without codes", [0x90, 2, 0, 1], MqttProtocolVersion.V311 },
        { "PINGRESP with a body", [0xD0, 1, 0], MqttProtocolVersion.V311 },
        { "PUBREC (QoS 2 is never asked for)", [0x50, 2, 0, 1], MqttProtocolVersion.V311 },
        { "AUTH", [0xF0, 0], MqttProtocolVersion.V500 },
        { "packet type 0", [0x00, 0], MqttProtocolVersion.V311 },
    };

    [Theory]
    [MemberData(nameof(MalformedPackets))]
    public async Task Malformed_packets_are_refused_with_a_reason(string what, byte[] bytes, MqttProtocolVersion version)
    {
        await using var channel = new MqttChannel(new MemoryStream(bytes), 1024);
        var received = await channel.ReadPacketAsync(CancellationToken.None);
        Assert.False(MqttPacketCodec.TryDecode(received.FirstByte, received.Body.Span, version, out var packet, out var error), what);
        Assert.Null(packet);
        Assert.NotEmpty(error);
    }
}
