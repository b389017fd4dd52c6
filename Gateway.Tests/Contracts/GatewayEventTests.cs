namespace Gateway.Tests.Contracts;

public sealed class GatewayEventTests
{
    [Fact]
    public void Event_data_keeps_non_ascii_text_plain()
    {
        var e = GatewayEvent.Create("device.offline", "泵站-1", new Dictionary<string, object?> { ["reason"] = "ENOENT /dev/ttyS3", ["unit"] = "°C" }, default, 0);
        Assert.Equal("""{"reason":"ENOENT /dev/ttyS3","unit":"°C"}""", e.DataJson);
    }
}
