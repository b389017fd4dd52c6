using System.Globalization;
using System.Text;
using Gateway.Drivers.Sensors;

namespace Gateway.Tests.Drivers.Sensors;

public sealed class NmeaParserTests
{
    public static TheoryData<int> CaptureIndexes => [.. Enumerable.Range(0, CaptureFixtures.Nmea.Count)];

    private static NmeaSentence Parse(string line)
    {
        Assert.True(NmeaSentence.TryParse(Encoding.ASCII.GetBytes(line), out var sentence, out var error), error);
        return sentence!;
    }

    [Theory]
    [MemberData(nameof(CaptureIndexes))]
    public void Real_captures_parse_to_what_they_say(int index)
    {
        var capture = CaptureFixtures.Nmea[index];
        var sentence = Parse(capture.Sentence);
        var e = capture.Expected;
        if (capture.Kind == "gga")
        {
            Assert.True(NmeaGga.TryParse(sentence, out var gga));
            Assert.Equal(CaptureFixtures.Int(e[0]), gga!.FixQuality);
            Assert.Equal(CaptureFixtures.Int(e[1]), gga.Satellites);
            Assert.Equal(CaptureFixtures.Double(e[2]), gga.Latitude!.Value, 7);
            Assert.Equal(CaptureFixtures.Double(e[3]), gga.Longitude!.Value, 7);
            Assert.Equal(gga.FixQuality > 0, gga.HasFix);
        }
        else
        {
            Assert.True(NmeaRmc.TryParse(sentence, out var rmc));
            Assert.Equal(e[0] == "A", rmc!.Valid);
            Assert.Equal(DateTimeOffset.Parse(e[1], CultureInfo.InvariantCulture), rmc.Utc);
            Assert.Equal(CaptureFixtures.Double(e[2]), rmc.Latitude!.Value, 7);
            Assert.Equal(CaptureFixtures.Double(e[3]), rmc.Longitude!.Value, 7);
        }
    }

    [Fact]
    public void South_and_west_are_negative()
    {
        var gga = Parse(NmeaWriter.Sentence("GPGGA,120000,3352.1280,S,15112.5680,W,1,05,1.2,10.0,M,0.0,M,,").TrimEnd());
        Assert.True(NmeaGga.TryParse(gga, out var fix));
        Assert.Equal(-33.86880, fix!.Latitude!.Value, 6);
        Assert.Equal(-151.20946667, fix.Longitude!.Value, 6);
    }

    [Theory]
    [InlineData("$GNGGA,103309.000,4935.780351,N,00700.812390,E,2,17,0.72,465.352,M,47.791,M,,*71", "checksum mismatch")]
    [InlineData("$GNGGA,103309.000,4935.780351,N,00700.812391,E,2,17,0.72,465.352,M,47.791,M,,*70", "checksum mismatch")]
    [InlineData("$GNGGA,103309.000,4935.780351,N,00700.812390,E,2,17,0.72,465.352,M,47.791,M,,", "no checksum")]
    [InlineData("$GNGGA,103309.000,4935.7803", "no checksum")]
    [InlineData("GNGGA,103309.000,4935.780351,N*70", "not a sentence")]
    [InlineData("$GNGGA,103309.000,4935.780351,N,00700.812390,E,2,17,0.72,465.352,M,47.791,M,,*7", "no checksum")]
    [InlineData("$GNGGA,020604.001,4738.538654,N,12208.341758,W,1,3,,164.7,M,-17.1,M,,*67", "checksum mismatch")] // a documentation example whose checksum is wrong
    public void Corrupt_sentences_are_refused_with_a_reason(string line, string reason)
    {
        Assert.False(NmeaSentence.TryParse(Encoding.ASCII.GetBytes(line), out _, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void Rmc_with_an_impossible_date_has_no_time()
    {
        var rmc = Parse(NmeaWriter.Sentence("GPRMC,103309.000,A,4935.780351,N,00700.812390,E,0.01,58.03,310220,,,D").TrimEnd());
        Assert.True(NmeaRmc.TryParse(rmc, out var parsed));
        Assert.Null(parsed!.Utc);
    }

    [Fact]
    public void Line_buffer_drops_noise_and_overlong_lines_and_resynchronises_on_dollar()
    {
        var lines = new List<string>();
        var buffer = new NmeaLineBuffer();
        var input = "garbage$GPGGA,1*00\r\n" + new string('x', 300) + "\r\n" + "\0\xff$GPRMC,2*00\r\n$GPGSV,partial";
        buffer.Append(Encoding.Latin1.GetBytes(input), l => lines.Add(Encoding.Latin1.GetString(l)));
        Assert.Equal(["$GPGGA,1*00", "$GPRMC,2*00"], lines);
        Assert.Equal(1, buffer.Overflows);
        buffer.Append("*11\n"u8, l => lines.Add(Encoding.Latin1.GetString(l)));
        Assert.Equal("$GPGSV,partial*11", lines[^1]);
    }
}
