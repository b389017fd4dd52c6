using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Gateway.Inference.Runtime;

/// <summary>
/// Which native ONNX Runtime the Microsoft.ML.OnnxRuntime package binds to. Unconfigured, the host
/// resolves the package's <c>runtimes/&lt;rid&gt;/native/libonnxruntime.so</c> through deps.json.
/// With <c>inference.onnxRuntimePath</c> that file and only that file is loaded: a typo is an
/// error naming the path, never a silent fallback to the packaged library.
/// </summary>
/// <remarks>
/// .NET allows one DllImport resolver per assembly and the package registers its own unless told
/// not to, so ours is registered once, before any ONNX Runtime type is touched, and answers for
/// the whole process. The first session fixes the library: a later, different path is refused
/// rather than mixing two runtimes (the package's function table is read once). The configured
/// file is loaded and checked here, before the package's type initialiser runs, because a
/// failure inside that initialiser would break ONNX Runtime for the rest of the process.
/// </remarks>
public static class OnnxRuntimeLibrary
{
    /// <summary>The library name in the package's <c>[DllImport]</c>s.</summary>
    public const string ImportName = "onnxruntime";

    private static readonly Lock Gate = new();
    private static bool s_resolverRegistered;
    private static bool s_used;
    private static string? s_configuredPath;
    private static nint s_configuredHandle;
    private static volatile bool s_configuredBound;

    /// <summary>
    /// The file ONNX Runtime runs from, or null before it is loaded. A configured file counts only
    /// once the package has asked our resolver for it and been given it.
    /// </summary>
    public static string? LoadedFrom
    {
        get
        {
            lock (Gate)
            {
                return s_configuredBound ? s_configuredPath : MappedLibrary();
            }
        }
    }

    /// <summary>The ONNX Runtime version string (e.g. "1.31.1") of the loaded library.</summary>
    public static string Version(string? configuredPath = null)
    {
        Ensure(configuredPath);
        return OrtEnv.Instance().GetVersionString();
    }

    /// <summary>
    /// Makes sure the package binds to the configured library (or the packaged one when
    /// <paramref name="configuredPath"/> is null). Call before any ONNX Runtime API.
    /// </summary>
    /// <exception cref="DllNotFoundException">The configured file does not exist, cannot be loaded or is not ONNX Runtime.</exception>
    /// <exception cref="InvalidOperationException">ONNX Runtime is already loaded from another file.</exception>
    public static void Ensure(string? configuredPath)
    {
        lock (Gate)
        {
            if (!s_resolverRegistered)
            {
                OrtEnv.DisableDllImportResolver = true;
                NativeLibrary.SetDllImportResolver(typeof(InferenceSession).Assembly, Resolve);
                s_resolverRegistered = true;
            }
            if (string.IsNullOrWhiteSpace(configuredPath))
            {
                s_used = true;
                return;
            }
            var path = Path.GetFullPath(configuredPath);
            if (!File.Exists(path))
            {
                throw new DllNotFoundException($"inference.onnxRuntimePath {path}: no such file");
            }
            // Before anything is loaded the configured file can still take over.
            if (s_used && (s_configuredPath ?? MappedLibrary()) is { } loaded)
            {
                if (SameFile(loaded, path))
                {
                    return;
                }
                throw new InvalidOperationException($"ONNX Runtime is already loaded from {loaded}; cannot also load {path}");
            }
            if (!NativeLibrary.TryLoad(path, out var handle))
            {
                throw new DllNotFoundException($"inference.onnxRuntimePath {path}: the dynamic loader cannot load it (wrong architecture or missing dependencies?)");
            }
            if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out _))
            {
                NativeLibrary.Free(handle);
                throw new DllNotFoundException($"inference.onnxRuntimePath {path}: does not export OrtGetApiBase, so it is not ONNX Runtime");
            }
            s_configuredHandle = handle;
            s_configuredPath = path;
            s_used = true;
        }
    }

    private static nint Resolve(string libraryName, System.Reflection.Assembly assembly, DllImportSearchPath? searchPath)
    {
        var handle = libraryName == ImportName ? Volatile.Read(ref s_configuredHandle) : 0;
        if (handle != 0)
        {
            s_configuredBound = true;
        }
        return handle;
    }

    // The host resolves the packaged library itself and does not say which file it picked:
    // the process's own mappings do.
    private static string? MappedLibrary()
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && Path.GetFileName(line.AsSpan(slash)).StartsWith("libonnxruntime.so", StringComparison.Ordinal))
            {
                return line[slash..];
            }
        }
        return null;
    }

    private static bool SameFile(string a, string b) =>
        string.Equals(RealPath(a), RealPath(b), StringComparison.Ordinal);

    // /proc/self/maps names the file with every symbolic link resolved; so must the configured path.
    private static string RealPath(string path)
    {
        var result = "/";
        foreach (var part in Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(result, part);
            result = new FileInfo(next).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? next;
        }
        return result;
    }
}
