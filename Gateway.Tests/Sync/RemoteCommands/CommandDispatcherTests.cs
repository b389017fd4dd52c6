using System.Text;
using System.Text.Json.Nodes;
using Gateway.Sync.RemoteCommands;
using Gateway.Sync.Uplink;
using Gateway.Tests.Support;
using Gateway.Tests.Sync.Uplink;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sync.RemoteCommands;

public sealed class CommandDispatcherTests
{
    private readonly CapturingLogger<CommandDispatcher> _log = new();

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));

    private CommandDispatcher Dispatcher(params ICommandHandler[] handlers) =>
        new(new ScriptedUplink(), new UplinkTopics("city", "pole-0001"), handlers, _time, _log);

    private static JsonObject Reply(byte[] payload) => Assert.IsType<JsonObject>(JsonNode.Parse(payload));

    [Fact]
    public async Task A_request_too_large_to_parse_is_refused_under_its_own_id()
    {
        var args = new string('x', 1024 * 1024);
        foreach (var request in new[]
        {
            "{\"id\":\"req-7\",\"args\":{\"blob\":\"" + args + "\"}}",
            "{\"args\":{\"blob\":\"" + args + "\",\"nested\":[1,{\"id\":\"not this one\"}]},\"id\":42}",
        })
        {
            var reply = Reply(await Dispatcher().HandleAsync("config/set", Encoding.UTF8.GetBytes(request), CancellationToken.None));
            Assert.False(reply["ok"]!.GetValue<bool>());
            Assert.Contains("exceeds", reply["error"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(request.StartsWith("{\"id\"", StringComparison.Ordinal) ? "\"req-7\"" : "42", reply["id"]!.ToJsonString());
        }
    }

    [Fact]
    public void The_id_scan_stops_at_broken_json_and_ignores_nested_ids()
    {
        Assert.Null(CommandDispatcher.ReadIdOnly("{\"args\":{\"id\":\"inner\"}"u8));
        Assert.Null(CommandDispatcher.ReadIdOnly("{\"args\":[1,2"u8));
        Assert.Null(CommandDispatcher.ReadIdOnly("[{\"id\":1}]"u8));
        Assert.Null(CommandDispatcher.ReadIdOnly("{\"id\":{\"a\":1}}"u8));
        Assert.Equal("3.5", CommandDispatcher.ReadIdOnly("{\"x\":null,\"id\":3.5,\"args\":"u8)!.ToJsonString());
    }

    [Fact]
    public async Task The_command_log_keeps_non_ascii_ids_as_text()
    {
        var reply = Reply(await Dispatcher(new EchoCommand()).HandleAsync("echo", "{\"id\":\"名字-°C\"}"u8.ToArray(), CancellationToken.None));
        Assert.True(reply["ok"]!.GetValue<bool>());
        Assert.Contains(_log.Lines, l => l.Contains("(id \"名字-°C\")", StringComparison.Ordinal));
        Assert.DoesNotContain(_log.Lines, l => l.Contains("\\u", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_handler_that_hangs_is_answered_timed_out_after_30_s_of_the_injected_clock()
    {
        var handling = Dispatcher(new HangingCommand()).HandleAsync("hang", "{\"id\":9}"u8.ToArray(), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(29.9));
        await Task.Delay(20);
        Assert.False(handling.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));

        var reply = Reply(await handling.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("timed out after 30 s", reply["error"]!.GetValue<string>());
        Assert.Equal("9", reply["id"]!.ToJsonString());
    }

    private sealed class HangingCommand : ICommandHandler
    {
        public string Name => "hang";

        public async ValueTask<JsonNode?> HandleAsync(JsonObject? args, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return null;
        }
    }

    private sealed class EchoCommand : ICommandHandler
    {
        public string Name => "echo";

        public ValueTask<JsonNode?> HandleAsync(JsonObject? args, CancellationToken cancellationToken) => ValueTask.FromResult<JsonNode?>(args?.DeepClone());
    }
}
