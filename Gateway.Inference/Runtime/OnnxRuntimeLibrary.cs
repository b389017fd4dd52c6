using System.Runtime.InteropServices;

namespace Gateway.Inference.Runtime;

/// <summary>
/// Finds and loads Microsoft's <c>libonnxruntime.so.1</c> and reads its <c>OrtApi</c> table.
/// Search order: (1) the configured path (<c>inference.onnxRuntimePath</c>) — when set it is the
/// only candidate, so a typo is an error rather than a silent fallback; (2) next to the
/// application by architecture, <c>native/onnxruntime/linux-x64|linux-arm64/libonnxruntime.so.1</c>
/// under <see cref="AppContext.BaseDirectory"/> (the build copies it there); (3) the system
/// loader (<c>libonnxruntime.so.1</c>, then <c>libonnxruntime.so</c>). The library is loaded once
/// per process; later calls with another path are refused rather than mixing two runtimes.
/// </summary>
public static unsafe class OnnxRuntimeLibrary
{
    public const string FileName = "libonnxruntime.so.1";

    private static readonly Lock Gate = new();
    private static OrtApi? s_api;
    private static string? s_loadedFrom;

    /// <summary>Where the loaded library came from, or null before the first load.</summary>
    public static string? LoadedFrom
    {
        get
        {
            lock (Gate)
            {
                return s_loadedFrom;
            }
        }
    }

    /// <summary>The candidates in search order, for messages and documentation.</summary>
    public static IReadOnlyList<string> Candidates(string? configuredPath)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return [Path.GetFullPath(configuredPath)];
        }
        return [Path.Combine(AppContext.BaseDirectory, "native", "onnxruntime", RuntimeIdentifier, FileName), FileName, "libonnxruntime.so"];
    }

    /// <summary>The directory name for this process's architecture.</summary>
    public static string RuntimeIdentifier => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "linux-x64",
        Architecture.Arm64 => "linux-arm64",
        var other => "linux-" + other.ToString().ToLowerInvariant(),
    };

    /// <summary>The ONNX Runtime version string (e.g. "1.22.0") of the loaded library.</summary>
    public static string Version(string? configuredPath = null) => Api(configuredPath).VersionString;

    internal static OrtApi Api(string? configuredPath = null)
    {
        lock (Gate)
        {
            if (s_api is not null)
            {
                if (!string.IsNullOrWhiteSpace(configuredPath) && Path.GetFullPath(configuredPath) != s_loadedFrom)
                {
                    throw new InvalidOperationException($"ONNX Runtime is already loaded from {s_loadedFrom}; cannot also load {configuredPath}");
                }
                return s_api;
            }
            var (handle, from) = LoadLibrary(configuredPath);
            s_api = ReadApi(handle, from);
            s_loadedFrom = from;
            return s_api;
        }
    }

    internal static (nint Handle, string From) LoadLibrary(string? configuredPath)
    {
        var candidates = Candidates(configuredPath);
        var failures = new List<string>();
        foreach (var candidate in candidates)
        {
            var isPath = candidate.Contains('/', StringComparison.Ordinal);
            if (isPath && !File.Exists(candidate))
            {
                failures.Add($"{candidate}: no such file");
                continue;
            }
            try
            {
                // By full path: [DllImport("onnxruntime")] would look for libonnxruntime.so, not .so.1.
                return (NativeLibrary.Load(candidate), candidate);
            }
            catch (DllNotFoundException e)
            {
                failures.Add($"{candidate}: {e.Message}");
            }
        }
        throw new DllNotFoundException(
            $"ONNX Runtime ({FileName}) was not found; tried {string.Join("; ", failures)}. "
            + "Set inference.onnxRuntimePath or run tools/setup.sh.");
    }

    private static OrtApi ReadApi(nint library, string from)
    {
        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBase))
        {
            throw new EntryPointNotFoundException($"{from} does not export OrtGetApiBase: not an ONNX Runtime library");
        }
        // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t version); const char* (*GetVersionString)(void); }
        var apiBase = ((delegate* unmanaged[Cdecl]<nint*>)getApiBase)();
        var getApi = (delegate* unmanaged[Cdecl]<uint, nint*>)apiBase[0];
        var getVersionString = (delegate* unmanaged[Cdecl]<byte*>)apiBase[1];
        var version = Marshal.PtrToStringUTF8((nint)getVersionString()) ?? "?";
        var table = getApi(OrtApi.Version);
        if (table is null)
        {
            throw new NotSupportedException($"{from} is ONNX Runtime {version}, which does not provide API version {OrtApi.Version} (1.22 or newer is needed)");
        }
        return new OrtApi(table, version);
    }
}
