using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using PackageException = Microsoft.ML.OnnxRuntime.OnnxRuntimeException;

namespace Gateway.Inference.Runtime;

/// <summary>
/// A loaded ONNX model (Microsoft.ML.OnnxRuntime's <see cref="InferenceSession"/>): its declared
/// inputs and outputs, a simple copying <see cref="Run"/> for tools and tests, and
/// <see cref="CreateRunner"/> for the per-frame path without copies or allocations. Sessions may be
/// used from several threads; a runner may not. Using a disposed session, or a runner whose
/// session was disposed, throws <see cref="ObjectDisposedException"/>: the package itself would
/// hand ORT a released session and crash the process.
/// </summary>
public sealed class OnnxSession : IDisposable
{
    private readonly Lifetime _lifetime;
    private volatile bool _disposed;

    private OnnxSession(InferenceSession session, string source)
    {
        _lifetime = new Lifetime(session);
        Inner = session;
        Source = source;
        try
        {
            Inputs = Describe(session.InputNames, session.InputMetadata);
            Outputs = Describe(session.OutputNames, session.OutputMetadata);
            var m = session.ModelMetadata;
            Metadata = new ModelMetadata(m.ProducerName, m.GraphName, m.Domain, m.Version, m.Description, new Dictionary<string, string>(m.CustomMetadataMap, StringComparer.Ordinal));
        }
        catch (PackageException e)
        {
            _lifetime.Dispose();
            throw OnnxRuntimeException.From(e);
        }
    }

    /// <summary>The model file, or "(bytes)".</summary>
    public string Source { get; }

    public IReadOnlyList<TensorInfo> Inputs { get; }

    public IReadOnlyList<TensorInfo> Outputs { get; }

    public ModelMetadata Metadata { get; }

    // Not SafeHandle.IsClosed: that stays false while runners still hold the handle.
    public bool IsDisposed => _disposed;

    internal InferenceSession Inner { get; }

    public static OnnxSession Open(string modelPath, OnnxSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return Open(options, o => new InferenceSession(Path.GetFullPath(modelPath), o), modelPath);
    }

    public static OnnxSession Open(byte[] model, OnnxSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Open(options, o => new InferenceSession(model, o), "(bytes)");
    }

    /// <summary>
    /// Runs the model on float inputs and copies every float output out. Allocates per call: for
    /// tools and tests; frames go through <see cref="CreateRunner"/>.
    /// </summary>
    public IReadOnlyList<NamedTensor> Run(IReadOnlyList<NamedTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var values = new List<OrtValue>(inputs.Count);
        using var lease = Lease();
        try
        {
            values.AddRange(inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, i.Shape)));
            using var runOptions = new RunOptions();
            using var results = Inner.Run(runOptions, [.. inputs.Select(i => i.Name)], values, [.. Outputs.Select(o => o.Name)]);
            return [.. results.Select((value, o) => Copy(Outputs[o].Name, value))];
        }
        catch (PackageException e)
        {
            throw OnnxRuntimeException.From(e);
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    /// <summary>
    /// A reusable, allocation-free runner over pinned buffers. <paramref name="inputShapes"/> gives
    /// concrete shapes for inputs with symbolic dimensions (null: the declared shapes, which must
    /// then be fixed).
    /// </summary>
    public OnnxRunner CreateRunner(IReadOnlyList<long[]>? inputShapes = null) => new(this, inputShapes);

    /// <summary>
    /// Marks the session disposed; ONNX Runtime's session is released once the last runner made
    /// from it is disposed too, so a runner on another thread never runs a freed session.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        _lifetime.Dispose();
    }

    /// <summary>Keeps ORT's session alive until the lease is disposed; throws if this session is disposed.</summary>
    internal SessionLease Lease()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var added = false;
        try
        {
            _lifetime.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(nameof(OnnxSession));
        }
        return new SessionLease(_lifetime);
    }

    private static OnnxSession Open(OnnxSessionOptions? options, Func<SessionOptions, InferenceSession> create, string source)
    {
        options ??= new OnnxSessionOptions();
        OnnxRuntimeLibrary.Ensure(options.LibraryPath);
        try
        {
            using var sessionOptions = CreateOptions(options);
            return new OnnxSession(create(sessionOptions), source);
        }
        catch (PackageException e)
        {
            throw OnnxRuntimeException.From(e);
        }
    }

    private static SessionOptions CreateOptions(OnnxSessionOptions options)
    {
        var o = new SessionOptions();
        try
        {
            o.IntraOpNumThreads = options.IntraOpThreads;
            o.InterOpNumThreads = 1;
            o.GraphOptimizationLevel = options.GraphOptimization;
            o.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
            foreach (var (key, value) in options.ConfigEntries)
            {
                o.AddSessionConfigEntry(key, value);
            }
            return o;
        }
        catch
        {
            o.Dispose();
            throw;
        }
    }

    private static NamedTensor Copy(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        if (info.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
        {
            throw new NotSupportedException($"output '{name}' is {info.ElementDataType}; only float outputs are supported");
        }
        return new NamedTensor(name, value.GetTensorDataAsSpan<float>().ToArray(), info.Shape);
    }

    private static TensorInfo[] Describe(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        [.. names.Select(name => metadata[name] is { IsTensor: true } m
            ? new TensorInfo(name, (TensorElementType)(int)m.ElementDataType, [.. m.Dimensions.Select(d => (long)d)], m.SymbolicDimensions)
            : new TensorInfo(name, TensorElementType.Undefined, []))];

    /// <summary>
    /// Reference-counts ORT's session (a SafeHandle's count, which is thread-safe): runners and
    /// copying runs hold a reference; the session is released when the last one lets go.
    /// </summary>
    private sealed class Lifetime : SafeHandle
    {
        private readonly InferenceSession _session;

        public Lifetime(InferenceSession session)
            : base(0, ownsHandle: true)
        {
            _session = session;
            SetHandle(1);
        }

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            _session.Dispose();
            return true;
        }
    }

    internal readonly struct SessionLease(SafeHandle handle) : IDisposable
    {
        public void Dispose() => handle.DangerousRelease();
    }
}
