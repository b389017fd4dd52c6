using Gateway.Drivers.Sensors;

namespace Gateway.Tests.Drivers.Sensors;

public sealed class Pms5003FrameTests
{
    public static TheoryData<int> CaptureIndexes => [.. Enumerable.Range(0, CaptureFixtures.Pms5003.Count)];

    [Theory]
    [MemberData(nameof(CaptureIndexes))]
    public void Real_captures_parse_to_their_atmospheric_values(int index)
    {
        var capture = CaptureFixtures.Pms5003[index];
        Assert.True(Pms5003Frame.TryParse(capture.Frame, out var frame));
        Assert.Equal((capture.Pm1_0, capture.Pm2_5, capture.Pm10), ((int)frame.Pm1_0Atmospheric, (int)frame.Pm2_5Atmospheric, (int)frame.Pm10Atmospheric));
    }

    [Fact]
    public void Encoder_reproduces_a_real_capture_byte_for_byte()
    {
        var capture = CaptureFixtures.Pms5003[^1];
        Assert.True(Pms5003Frame.TryParse(capture.Frame, out var frame));
        var written = new byte[Pms5003Frame.Length];
        frame.Write(written);
        // The capture's reserved word (0x9700: firmware version 0x97, error 0) is not modelled.
        Assert.Equal(capture.Frame[..28], written[..28]);
    }

    [Theory]
    [InlineData(5, "data byte")]
    [InlineData(31, "checksum low byte")]
    [InlineData(30, "checksum high byte")]
    [InlineData(3, "length field")]
    public void A_flipped_bit_anywhere_is_refused(int offset, string where)
    {
        var frame = (byte[])CaptureFixtures.Pms5003[0].Frame.Clone();
        frame[offset] ^= 0x01;
        Assert.False(Pms5003Frame.TryParse(frame, out _), where);
    }

    [Fact]
    public void Scanner_skips_noise_truncation_and_bad_checksums_and_finds_every_good_frame()
    {
        var good = CaptureFixtures.Pms5003.Select(c => c.Frame).ToArray();
        var badChecksum = (byte[])good[1].Clone();
        badChecksum[10] ^= 0xFF;
        var stream = new List<byte>();
        stream.AddRange([0x00, 0x42, 0x13, 0x4D, 0xFF]); // noise, including half a start marker
        stream.AddRange(good[0]);
        stream.AddRange(good[1][..17]); // truncated: the sensor was unplugged mid-frame
        stream.AddRange(good[2]);
        stream.AddRange(badChecksum);
        stream.AddRange(good[3]);
        stream.AddRange(good[4][..10]); // an incomplete frame at the end: wait for more

        var buffer = stream.ToArray().AsSpan();
        var found = new List<int>();
        var corrupt = 0;
        while (true)
        {
            var status = Pms5003FrameScanner.Scan(buffer, out var frame, out var consumed);
            buffer = buffer[consumed..];
            if (status == Pms5003ScanStatus.NeedMoreData)
            {
                break;
            }
            if (status == Pms5003ScanStatus.Corrupt)
            {
                corrupt++;
            }
            else
            {
                found.Add(frame.Pm10Atmospheric);
            }
        }

        Assert.Equal([11, 5, 4], found);
        Assert.Equal(2, corrupt);
        Assert.Equal(good[4][..10], buffer.ToArray()); // kept for the next read
    }
}
