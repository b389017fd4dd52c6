namespace Gateway.Inference.Runtime;

/// <summary>
/// The process-wide <c>OrtEnv</c>. ONNX Runtime allows one per process and every session must be
/// created under it; it lives until the process ends (releasing it while sessions exist is
/// undefined behaviour, and it holds no per-frame state).
/// </summary>
internal static unsafe class OrtEnvironment
{
    private const int LoggingLevelWarning = 2;

    private static readonly Lock Gate = new();
    private static nint s_env;

    public static nint Get(OrtApi api)
    {
        lock (Gate)
        {
            if (s_env == 0)
            {
                nint env;
                fixed (byte* logId = "edge-gateway"u8)
                {
                    api.Check(api.CreateEnv(LoggingLevelWarning, logId, &env));
                }
                s_env = env;
            }
            return s_env;
        }
    }
}
