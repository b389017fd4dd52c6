namespace Gateway.Tests.Acceptance;

/// <summary>
/// Each shipped topic schema accepts a payload as the gateway writes it and refuses one that breaks
/// the contract, so that none of them is vacuous (a schema that accepts everything fails here).
/// </summary>
public class TopicSchemaTests
{
    /// <summary>Where the samples say "@TS@": a timestamp as the gateway writes it.</summary>
    private const string Ts = "2026-11-30T01:02:03.456Z";

    public static TheoryData<string, string> Valid => new()
    {
        { TopicSchemas.Status, """{"state":"online","node":"pole-1","ts":"@TS@","version":"1.0.0+abc"}""" },
        { TopicSchemas.Telemetry, """{"v":1,"node":"pole-1","readings":[{"seq":1,"device":"water-1","point":"flow_total","ts":"@TS@","value":1234.5,"unit":"m3","quality":"good"},{"seq":2,"device":"water-1","point":"total","ts":"@TS@","value":18446744073709551615,"quality":"good"},{"seq":3,"device":"door-1","point":"state","ts":null,"clock":"unsynced","boot":"b1","uptimeMs":42,"value":true,"quality":"good"},{"seq":4,"device":"gas-1","point":"level","ts":"@TS@","value":null,"quality":"bad","reason":"timeout"}]}""" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":7,"type":"crowd.gathering","ts":"@TS@","source":"cam-1","data":{"camera":"cam-1","zone":"plaza","persons":3,"alertPersons":2,"sinceTs":"@TS@"}}""" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":9,"type":"crowd.dispersed","ts":"@TS@","source":"cam-1","data":{"camera":"cam-1","zone":"plaza","persons":0,"gatheringSeq":7}}""" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":10,"type":"litter.detected","ts":"@TS@","source":"cam-1","data":{"camera":"cam-1","zone":"kerb","class":"cup","score":0.47,"box":[176,26,438,310],"firstSeenTs":"@TS@","snapshot":true},"snapshot":true}""" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":12,"type":"litter.cleared","ts":"@TS@","source":"cam-1","data":{"camera":"cam-1","zone":"kerb","detectedSeq":null,"snapshot":true},"snapshot":true}""" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":3,"type":"device.offline","ts":"@TS@","source":"water-1","data":{"device":"water-1","link":"tcp://127.0.0.1:5020","unitId":1,"reason":"connection refused"}}""" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":4,"type":"device.online","ts":null,"clock":"unsynced","source":"water-1","data":{"device":"water-1"}}""" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":5,"type":"gpio.changed","ts":"@TS@","source":"door-1","data":{"state":true,"chip":"gpiochip0","line":17}}""" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":6,"type":"buffer.dropped","ts":"@TS@","source":"store","data":{"fromSeq":null,"toSeq":null,"count":null,"reason":"reset","exact":false,"problem":"file damaged"}}""" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":8,"type":"camera.lost","ts":"@TS@","source":"cam-1","data":{"camera":"cam-1","reason":"ffmpeg exited with code 1"}}""" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":11,"type":"config.applied","ts":"@TS@","source":"config","data":{"by":"city-brain","via":"mqtt","version":"0123456789abcdef","result":"rolled-back"}}""" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":13,"type":"pump.started","ts":"@TS@","source":"pump-1","data":{}}""" },
        { TopicSchemas.Health, """{"v":1,"node":"pole-1","ts":"@TS@","uptimeS":5,"clock":"synced","backlog":{"records":3,"oldestAgeS":null},"droppedTotal":0,"devices":{"water-1":{"state":"online","lastGoodTs":"@TS@"}},"cameras":{"cam-1":{"fps":2.01,"inferenceMs":null}},"cpuPercent":null,"rssMB":80.5,"diskFreeMB":1024}""" },
        { TopicSchemas.CommandRequest, """{"id":"r-1","args":{"patch":{"node":{"site":"x"}}}}""" },
        { TopicSchemas.CommandReply, """{"id":"p","ok":true,"result":{"pong":true,"node":"pole-1","ts":"@TS@","version":"1.0"}}""" },
        { TopicSchemas.CommandReply, """{"id":"s","ok":false,"error":"version conflict","applied":false,"version":"0123456789abcdef"}""" },
        { TopicSchemas.ReplyKey("config/set"), """{"id":"s","ok":true,"result":{"applied":true,"version":"0123456789abcdef","restarted":"modbus"}}""" },
        { TopicSchemas.ReplyKey("config/set"), """{"id":"s","ok":false,"error":"invalid configuration","applied":false,"version":"0123456789abcdef","errors":[{"path":"devices[0].pollMs","message":"must be at least 10"}]}""" },
        { TopicSchemas.ReplyKey("config/get"), """{"id":"g","ok":true,"result":{"version":"0123456789abcdef","path":"/etc/gw.json","config":{"mqtt":{"password":"***"}}}}""" },
        { TopicSchemas.ReplyKey("status"), """{"id":"st","ok":true,"result":{"node":"pole-1","site":null,"version":"1.0","ts":"@TS@","uptimeSeconds":3,"clock":{"synchronized":false,"trusted":true,"known":true},"uplink":{"state":"connected","connections":1,"consecutiveFailures":0},"store":{"lastSeq":9,"pendingReadings":0,"pendingEvents":0,"droppedReadings":0,"droppedEvents":0},"forwarded":{"readings":8,"events":1,"snapshots":0,"sessions":1},"health":{}}}""" },
    };

    /// <summary>Each breaks one rule of SPEC section 3 (the reason is the third value).</summary>
    public static TheoryData<string, string, string> Broken => new()
    {
        { TopicSchemas.Status, """{"state":"sleeping","node":"pole-1","ts":"@TS@","version":"1.0"}""", "state outside its enum" },
        { TopicSchemas.Status, """{"state":"online","node":"pole-1","ts":"2026-11-30T01:02:03+08:00","version":"1.0"}""", "ts not in UTC" },
        { TopicSchemas.Status, """{"state":"online","node":"pole-1","ts":"2026-13-45T01:02:03.000Z","version":"1.0"}""", "ts not a date" },
        { TopicSchemas.Telemetry, """{"v":1,"node":"pole-1","readings":[{"seq":0,"device":"d","point":"p","ts":"@TS@","value":1,"quality":"good"}]}""", "seq 0" },
        { TopicSchemas.Telemetry, """{"v":1,"node":"pole-1","readings":[{"seq":1.5,"device":"d","point":"p","ts":"@TS@","value":1,"quality":"good"}]}""", "seq not an integer" },
        { TopicSchemas.Telemetry, """{"v":1,"node":"pole-1","readings":[{"seq":1,"device":"d","point":"p","ts":null,"value":1,"quality":"good"}]}""", "undated without clock unsynced" },
        { TopicSchemas.Telemetry, """{"v":1,"node":"pole-1","readings":[{"seq":1,"device":"d","point":"p","ts":"@TS@","value":null,"quality":"bad"}]}""", "bad without a reason" },
        { TopicSchemas.Telemetry, """{"v":1,"node":"pole-1","readings":[{"seq":1,"device":"d","point":"p","ts":"@TS@","value":null,"quality":"good"}]}""", "good without a value" },
        { TopicSchemas.Telemetry, """{"v":1,"node":"pole-1","readings":[{"seq":1,"device":"d","point":"p","ts":"@TS@","quality":"good"}]}""", "no value" },
        { TopicSchemas.Telemetry, """{"v":1,"node":"pole-1","readings":[]}""", "no readings" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":7,"type":"crowd.gathering","ts":"@TS@","source":"cam-1","data":{"camera":"cam-1","zone":"plaza","persons":3,"sinceTs":"@TS@"}}""", "gathering without alertPersons" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":9,"type":"crowd.dispersed","ts":"@TS@","source":"cam-1","data":{"camera":"cam-1","zone":"plaza","persons":0,"gatheringSeq":0}}""", "gatheringSeq 0" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":10,"type":"litter.detected","ts":"@TS@","source":"cam-1","data":{"camera":"cam-1","zone":"kerb","class":"cup","score":0.47,"box":[176.5,26,438,310],"firstSeenTs":"@TS@","snapshot":true},"snapshot":true}""", "box not whole pixels" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":10,"type":"litter.detected","ts":"@TS@","source":"cam-1","data":{"camera":"cam-1","zone":"kerb","class":"cup","score":0.47,"box":[176,26,438,310],"firstSeenTs":"@TS@","snapshot":true}}""", "litter without its snapshot flag" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":12,"type":"litter.cleared","ts":"@TS@","source":"cam-1","data":{"camera":"cam-1","zone":"kerb","snapshot":true},"snapshot":true}""", "cleared without detectedSeq" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":3,"type":"device.offline","ts":"@TS@","source":"water-1","data":{"device":"water-1"}}""", "offline without a reason" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":4,"type":"device.online","ts":"@TS@","source":"water-1","data":{}}""", "online without the device" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":5,"type":"gpio.changed","ts":"@TS@","source":"door-1","data":{"state":"high","chip":"gpiochip0","line":17}}""", "gpio state not a boolean" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":6,"type":"buffer.dropped","ts":"@TS@","source":"store","data":{"fromSeq":1,"toSeq":9,"reason":"budget"}}""", "dropped without a count" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":8,"type":"camera.restored","ts":"@TS@","source":"cam-1","data":{"camera":"cam-1"}}""", "camera event without a reason" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","seq":11,"type":"config.applied","ts":"@TS@","source":"config","data":{"by":"city-brain","via":"ssh","version":"0123456789abcdef","result":"applied"}}""", "via outside its enum" },
        { TopicSchemas.Event, """{"v":1,"node":"pole-1","type":"device.online","ts":"@TS@","source":"water-1","data":{"device":"water-1"}}""", "event without seq" },
        { TopicSchemas.Health, """{"v":1,"node":"pole-1","ts":"@TS@","uptimeS":5,"clock":"synced","backlog":{"records":3,"oldestAgeS":null},"droppedTotal":0,"devices":{"water-1":{"state":"up","lastGoodTs":null}},"cameras":{},"cpuPercent":null,"rssMB":80.5,"diskFreeMB":1024}""", "device state outside its enum" },
        { TopicSchemas.Health, """{"v":1,"node":"pole-1","ts":"@TS@","uptimeS":5,"clock":"synced","droppedTotal":0,"devices":{},"cameras":{},"cpuPercent":null,"rssMB":80.5,"diskFreeMB":1024}""", "no backlog" },
        { TopicSchemas.CommandRequest, """{"args":{}}""", "request without id" },
        { TopicSchemas.CommandReply, """{"id":"p","ok":true}""", "ok without result" },
        { TopicSchemas.CommandReply, """{"id":"p","ok":false,"result":{"pong":true}}""", "not ok without error" },
        { TopicSchemas.ReplyKey("ping"), """{"id":"p","ok":true,"result":{"applied":true,"version":"0123456789abcdef"}}""", "ping answered with another command's result" },
        { TopicSchemas.ReplyKey("config/set"), """{"id":"s","ok":false,"error":"invalid configuration","applied":false,"version":"0123456789abcdef"}""", "invalid without errors" },
        { TopicSchemas.ReplyKey("config/set"), """{"id":"s","ok":false,"error":"invalid configuration","applied":false,"version":"0123456789abcdef","errors":[{"message":"no path"}]}""", "an error without its path" },
        { TopicSchemas.ReplyKey("config/get"), """{"id":"g","ok":true,"result":{"version":"v1","config":{}}}""", "version not a file hash" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void A_payload_as_the_gateway_writes_it_is_valid(string schema, string payload) =>
        Assert.Empty(TopicSchemas.Shipped.Validate(schema, Dated(payload)));

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_payload_that_breaks_the_contract_is_refused(string schema, string payload, string rule) =>
        Assert.True(TopicSchemas.Shipped.Validate(schema, Dated(payload)).Count > 0, $"{schema} accepted a payload with {rule}: {payload}");

    [Fact]
    public void Every_schema_has_both_a_valid_and_a_broken_sample()
    {
        string[] all = [TopicSchemas.Status, TopicSchemas.Telemetry, TopicSchemas.Event, TopicSchemas.Health, TopicSchemas.CommandRequest, TopicSchemas.CommandReply];
        var valid = Valid.Select(row => (string)row[0]).Select(Root).ToHashSet();
        var broken = Broken.Select(row => (string)row[0]).Select(Root).ToHashSet();
        Assert.All(all, s => Assert.Contains(s, valid));
        Assert.All(all, s => Assert.Contains(s, broken));
    }

    [Fact]
    public void Each_topic_maps_to_its_schema_and_a_reply_to_its_command()
    {
        const string node = "city/pole-1";
        Assert.Equal([TopicSchemas.Telemetry], TopicSchemas.For(node, "city/pole-1/telemetry"));
        Assert.Equal([TopicSchemas.Event], TopicSchemas.For(node, "city/pole-1/events"));
        Assert.Empty(TopicSchemas.For(node, "city/pole-1/snapshots/12"));
        Assert.Equal([TopicSchemas.CommandRequest], TopicSchemas.For(node, "city/pole-1/cmd/config/set"));
        Assert.Equal([TopicSchemas.CommandReply, TopicSchemas.ReplyKey("config/set")], TopicSchemas.For(node, "city/pole-1/cmd/config/set/reply"));
        Assert.Throws<ArgumentException>(() => TopicSchemas.For(node, "city/pole-1/gossip"));
    }

    private static string Dated(string payload) => payload.Replace("@TS@", Ts, StringComparison.Ordinal);

    private static string Root(string schema) => schema.Split('#')[0];
}
