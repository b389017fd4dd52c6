using Gateway.Drivers.Modbus.Protocol;

namespace Gateway.Tests.Drivers.Modbus.Protocol;

public class FramingTests
{
    [Theory]
    // Modbus over Serial Line v1.02, 6.2.2 and the usual reference frames.
    [InlineData("01 03 00 00 00 0A", 0xCDC5)]
    [InlineData("02 07", 0x1241)]
    [InlineData("11 03 00 6B 00 03", 0x8776)]
    public void Crc16_matches_reference_frames(string hex, int crc) =>
        Assert.Equal((ushort)crc, Crc16.Compute(Hex.Parse(hex)));

    [Fact]
    public void Rtu_frame_carries_the_crc_low_byte_first_and_parses_back()
    {
        var frame = new byte[16];
        var length = RtuFrame.Write(1, Hex.Parse("03 00 00 00 0A"), frame);
        Assert.Equal(Hex.Parse("01 03 00 00 00 0A C5 CD"), frame[..length]);
        Assert.True(RtuFrame.TryParse(frame.AsSpan(0, length), out var unit, out var pdu));
        Assert.Equal(1, unit);
        Assert.Equal(Hex.Parse("03 00 00 00 0A"), pdu.ToArray());
    }

    [Fact]
    public void Property_every_single_and_double_bit_error_is_caught_by_the_crc()
    {
        var random = new Random(3);
        var frame = new byte[64];
        for (var i = 0; i < 2_000; i++)
        {
            var pdu = new byte[random.Next(2, 40)];
            random.NextBytes(pdu);
            var length = RtuFrame.Write((byte)random.Next(1, 248), pdu, frame);
            var bits = length * 8;
            var first = random.Next(bits);
            var second = random.Next(bits);
            frame[first / 8] ^= (byte)(1 << (first % 8));
            if (second != first && random.Next(2) == 0)
            {
                frame[second / 8] ^= (byte)(1 << (second % 8));
            }
            Assert.False(RtuFrame.TryParse(frame.AsSpan(0, length), out _, out _));
        }
    }

    [Theory]
    [InlineData("01 03 06", 11)]
    [InlineData("01 83", 5)]
    [InlineData("01 06", 8)]
    [InlineData("01 10", 8)]
    [InlineData("01 01 01", 6)]
    [InlineData("01 03", 0)]
    [InlineData("01", 0)]
    public void Response_length_is_known_from_the_frame_head(string head, int expected) =>
        Assert.Equal(expected, RtuFrame.ExpectedResponseLength(Hex.Parse(head)));

    [Fact]
    public void Mbap_header_round_trips_and_rejects_other_protocols()
    {
        var buffer = new byte[MbapHeader.Size];
        MbapHeader.Write(0x1234, 17, 5, buffer);
        Assert.Equal(Hex.Parse("12 34 00 00 00 06 11"), buffer);
        Assert.True(MbapHeader.TryParse(buffer, out var header));
        Assert.Equal(new MbapHeader(0x1234, 0, 6, 17), header);
        Assert.Equal(5, header.PduLength);

        buffer[3] = 1;
        Assert.False(MbapHeader.TryParse(buffer, out _));
        MbapHeader.Write(1, 1, 300, buffer);
        Assert.False(MbapHeader.TryParse(buffer, out _));
    }

    [Theory]
    [InlineData(9600, 1718, 4010)]
    [InlineData(19200, 859, 2005)]
    [InlineData(38400, 750, 1750)]
    [InlineData(115200, 750, 1750)]
    public void Rtu_timing_follows_the_serial_line_specification(int baud, int t15Micros, int t35Micros)
    {
        var timing = RtuTiming.ForBaud(baud);
        Assert.Equal(t15Micros, (int)timing.T15.TotalMicroseconds);
        Assert.Equal(t35Micros, (int)timing.T35.TotalMicroseconds);
    }
}
