using Gateway.Simulation;

namespace Gateway.Bench.Support;

/// <summary>The Debian tools the benches drive (mosquitto_pub, mosquitto_sub, socat); tools/setup.sh installs them.</summary>
public static class BenchTool
{
    public static string Require(string name) =>
        DebianTool.Find(name) ?? throw new InvalidOperationException($"{name} is not installed; run tools/setup.sh");
}
