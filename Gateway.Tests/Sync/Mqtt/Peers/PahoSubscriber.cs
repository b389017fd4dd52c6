using System.Diagnostics;
using Gateway.Tests.Support;

namespace Gateway.Tests.Sync.Mqtt.Peers;

/// <summary>
/// An independent subscriber: paho-mqtt 1.6.1 under Debian's python3, persistent session, QoS 1,
/// reconnecting on its own. It prints one line per message (topic and payload in hex).
/// </summary>
public sealed class PahoSubscriber : IDisposable
{
    private const string Script = """
        import sys
        import paho.mqtt.client as mqtt
        host, port, topic, client_id = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
        def on_connect(client, userdata, flags, rc):
            client.subscribe(topic, qos=1)
        def on_subscribe(client, userdata, mid, granted):
            print("READY", flush=True)
        def on_message(client, userdata, message):
            print("MSG", message.topic, message.payload.hex(), "retained" if message.retain else "live", flush=True)
        client = mqtt.Client(client_id=client_id, clean_session=False, protocol=mqtt.MQTTv311)
        client.on_connect = on_connect
        client.on_subscribe = on_subscribe
        client.on_message = on_message
        client.reconnect_delay_set(min_delay=1, max_delay=1)
        client.connect(host, port, keepalive=30)
        client.loop_forever(retry_first_connection=True)
        """;

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<Message> _messages = [];

    public PahoSubscriber(int port, string topic)
    {
        ExternalTool.RequirePythonModules("paho.mqtt.client");
        var start = new ProcessStartInfo(ExternalTool.Python) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", Script, "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), topic, "paho-" + Guid.NewGuid().ToString("N")[..8] })
        {
            start.ArgumentList.Add(arg);
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lines)
                {
                    _lines.Add(e.Data);
                    // Parsed once as it arrives: callers poll Messages, and a long run (snapshots in hex) would re-parse megabytes each time.
                    if (e.Data.StartsWith("MSG ", StringComparison.Ordinal))
                    {
                        var p = e.Data.Split(' ');
                        _messages.Add(new Message(p[1], Convert.FromHexString(p[2]), p[3] == "retained"));
                    }
                }
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public sealed record Message(string Topic, byte[] Payload, bool Retained);

    public IReadOnlyList<Message> Messages
    {
        get
        {
            lock (_lines)
            {
                return [.. _messages];
            }
        }
    }

    public Task WaitUntilReadyAsync() => WaitUntilAsync(() => { lock (_lines) { return _lines.Contains("READY"); } }, TimeSpan.FromSeconds(20), "paho never subscribed");

    public Task WaitForMessagesAsync(Func<IReadOnlyList<Message>, bool> done, TimeSpan timeout) =>
        WaitUntilAsync(() => done(Messages), timeout, "paho did not receive the expected messages");

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"{what} (exited: {_process.HasExited}, {Messages.Count} message(s) seen)");
            }
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
