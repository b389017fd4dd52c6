namespace Gateway.Tests.Support;

/// <summary>
/// Waits for something a real peer (a socket, a broker, a worker thread) does on its own. Tests on
/// fake time use it before they move the clock; the real-time limit only turns a hang into a
/// failure with a message, no assertion depends on how long the wait took.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static async Task HoldsAsync(Func<bool> condition, Func<string> what)
    {
        var deadline = Environment.TickCount64 + (long)Limit.TotalMilliseconds;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, $"still waiting after {Limit.TotalSeconds} s: {what()}");
            await Task.Delay(1);
        }
    }
}
