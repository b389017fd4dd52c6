using System.Text;
using System.Text.Json;
using Gateway.Sync.Store;

namespace Gateway.Tests.Sync.Store;

/// <summary>The SPEC section 3 rendering of READING and EVENT.</summary>
public sealed class RecordJsonTests
{
    private static readonly RecordTime At = new(new DateTimeOffset(2026, 11, 21, 5, 43, 36, 123, TimeSpan.Zero), null, null, null);

    public static TheoryData<string, ReadingValue, string> Values => new()
    {
        { "double", 12.5, "12.5" },
        { "integer", 42L, "42" },
        { "boolean", true, "true" },
        { "negative integer", -42L, "-42" },
        { "u64 max", ulong.MaxValue, "18446744073709551615" },
        { "u64 2^63", 9223372036854775808UL, "9223372036854775808" },
        { "no value", ReadingValue.None, "null" },
        { "nan", double.NaN, "null" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void A_reading_renders_every_value_kind(string name, ReadingValue value, string expectedValue)
    {
        var reading = new StoredReading(7, "water-1", "flow_total", value, "m3", ReadingQuality.Good, null, At);
        var payload = Encoding.UTF8.GetString(RecordJson.TelemetryPayload("pole-0001", [reading]));
        Assert.Equal(
            $$"""{"v":1,"node":"pole-0001","readings":[{"seq":7,"device":"water-1","point":"flow_total","ts":"2026-11-21T05:43:36.123Z","value":{{expectedValue}},"unit":"m3","quality":"good"}]}""",
            payload);
        Assert.NotNull(name);
    }

    [Fact]
    public void Non_ascii_text_stays_plain_utf8_and_the_json_stays_valid()
    {
        var reading = new StoredReading(9, "泵站-1", "水位", 1.5, "°C", ReadingQuality.Uncertain, "满\"\n", At);
        var payload = Encoding.UTF8.GetString(RecordJson.TelemetryPayload("杭州-pole-0001", [reading]));
        Assert.Contains("\"node\":\"杭州-pole-0001\"", payload, StringComparison.Ordinal);
        Assert.Contains("\"device\":\"泵站-1\",\"point\":\"水位\"", payload, StringComparison.Ordinal);
        Assert.Contains("\"unit\":\"°C\"", payload, StringComparison.Ordinal);
        Assert.Contains("\"reason\":\"满\\\"\\n\"", payload, StringComparison.Ordinal); // quote and newline still escaped
        var element = JsonDocument.Parse(payload).RootElement.GetProperty("readings")[0];
        Assert.Equal("满\"\n", element.GetProperty("reason").GetString());
    }

    [Fact]
    public void A_bad_reading_says_why_and_an_absent_unit_is_left_out()
    {
        var reading = new StoredReading(8, "gas-1", "total", 0.0, null, ReadingQuality.Bad, "timeout", At);
        var element = JsonDocument.Parse(RecordJson.TelemetryPayload("n", [reading])).RootElement.GetProperty("readings")[0];
        Assert.Equal("bad", element.GetProperty("quality").GetString());
        Assert.Equal("timeout", element.GetProperty("reason").GetString());
        Assert.False(element.TryGetProperty("unit", out _));
    }

    [Fact]
    public void An_event_renders_its_data_object_verbatim()
    {
        var e = new StoredEvent(9, "litter.detected", "cam-north", """{"zone":"kerb","box":[1,2,3,4]}""", At, HasSnapshot: true);
        Assert.Equal(
            """{"v":1,"node":"pole-0001","seq":9,"type":"litter.detected","ts":"2026-11-21T05:43:36.123Z","source":"cam-north","data":{"zone":"kerb","box":[1,2,3,4]},"snapshot":true}""",
            Encoding.UTF8.GetString(RecordJson.EventPayload("pole-0001", e)));
    }

    [Fact]
    public void An_unsynced_record_carries_clock_unsynced_and_no_date()
    {
        var e = new StoredEvent(10, "gpio.changed", "door-1", "{}", new RecordTime(null, "b1", 5000, null), HasSnapshot: false);
        Assert.Equal(
            """{"v":1,"node":"n","seq":10,"type":"gpio.changed","ts":null,"clock":"unsynced","boot":"b1","uptimeMs":5000,"source":"door-1","data":{}}""",
            Encoding.UTF8.GetString(RecordJson.EventPayload("n", e)));
    }
}
