using Gateway.Simulation.Mqtt;

namespace Gateway.Tests.Sync.Mqtt.Peers;

/// <summary>
/// The tests' settings for the shared <see cref="LoopbackMosquitto"/>: persistence in its own folder,
/// so that a subscriber's session survives a stop and start on the same ports, no queue limit, and
/// optionally a TLS listener and a log naming every packet.
/// </summary>
public static class MosquittoPeer
{
    /// <param name="logPackets">log_type all: mosquitto's log then names every packet it receives, with its flags and id.</param>
    public static LoopbackMosquitto Create(TestCertificates? tls = null, bool requireClientCertificate = false, bool logPackets = false)
    {
        Gateway.Tests.Support.ExternalTool.Require("mosquitto");
        List<string> settings = ["persistence true", "max_queued_messages 0"];
        if (logPackets)
        {
            settings.Add("log_type all");
        }
        return new LoopbackMosquitto(new MosquittoOptions
        {
            Settings = settings,
            Tls = tls is null ? null : new MosquittoTls(tls.CaFile, tls.ServerCertFile, tls.ServerKeyFile, requireClientCertificate),
        });
    }
}
