using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Inference.Runtime;

/// <summary>
/// A loaded ONNX model: its declared inputs and outputs, a simple copying <see cref="Run"/> for
/// tools and tests, and <see cref="CreateRunner"/> for the per-frame path without copies or
/// allocations. Sessions may be used from several threads; a runner may not.
/// </summary>
public sealed unsafe class OnnxSession : IDisposable
{
    private const int OrtArenaAllocator = 1;
    private const int OrtMemTypeDefault = 0;
    private const int OnnxTypeTensor = 1;

    private readonly OrtHandle _session;
    private readonly OrtHandle _memoryInfo;

    private OnnxSession(OrtApi api, OrtHandle session, string source)
    {
        Api = api;
        _session = session;
        Source = source;
        nint memoryInfo;
        api.Check(api.CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &memoryInfo));
        _memoryInfo = new OrtHandle(memoryInfo, api.ReleaseMemoryInfo);
        Inputs = Describe(input: true);
        Outputs = Describe(input: false);
    }

    /// <summary>The model file, or "(bytes)".</summary>
    public string Source { get; }

    public IReadOnlyList<TensorInfo> Inputs { get; }

    public IReadOnlyList<TensorInfo> Outputs { get; }

    internal OrtApi Api { get; }

    internal OrtHandle Handle => _session;

    internal OrtHandle MemoryInfo => _memoryInfo;

    public static OnnxSession Open(string modelPath, OnnxSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        options ??= new OnnxSessionOptions();
        var api = OnnxRuntimeLibrary.Api(options.LibraryPath);
        using var sessionOptions = CreateOptions(api, options);
        var path = Encoding.UTF8.GetBytes(Path.GetFullPath(modelPath) + "\0");
        nint session;
        fixed (byte* p = path)
        {
            api.Check(api.CreateSession(OrtEnvironment.Get(api), p, sessionOptions.DangerousGetHandle(), &session));
        }
        return new OnnxSession(api, new OrtHandle(session, api.ReleaseSession), modelPath);
    }

    public static OnnxSession Open(ReadOnlySpan<byte> model, OnnxSessionOptions? options = null)
    {
        options ??= new OnnxSessionOptions();
        var api = OnnxRuntimeLibrary.Api(options.LibraryPath);
        using var sessionOptions = CreateOptions(api, options);
        nint session;
        fixed (byte* p = model)
        {
            api.Check(api.CreateSessionFromArray(OrtEnvironment.Get(api), p, (nuint)model.Length, sessionOptions.DangerousGetHandle(), &session));
        }
        return new OnnxSession(api, new OrtHandle(session, api.ReleaseSession), "(bytes)");
    }

    /// <summary>
    /// Runs the model on float inputs and copies every float output out. Allocates per call: for
    /// tools and tests; frames go through <see cref="CreateRunner"/>.
    /// </summary>
    public IReadOnlyList<NamedTensor> Run(IReadOnlyList<NamedTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var names = new NativeStrings(inputs.Select(i => i.Name).Concat(Outputs.Select(o => o.Name)).ToArray());
        var inputValues = new nint[inputs.Count];
        var outputValues = new nint[Outputs.Count];
        var pins = new GCHandle[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                pins[i] = GCHandle.Alloc(inputs[i].Data, GCHandleType.Pinned);
                inputValues[i] = CreateTensor((float*)pins[i].AddrOfPinnedObject(), inputs[i].Data.Length, inputs[i].Shape);
            }
            fixed (nint* inPtr = inputValues)
            fixed (nint* outPtr = outputValues)
            {
                RunRaw(names.Pointers, inPtr, inputs.Count, names.Pointers + inputs.Count, outPtr, Outputs.Count);
            }
            var results = new NamedTensor[Outputs.Count];
            Span<long> dims = stackalloc long[OrtTensorShape.MaxRank];
            for (var o = 0; o < results.Length; o++)
            {
                var data = OrtTensorShape.Read(Api, outputValues[o], Outputs[o], dims, out var rank);
                results[o] = new NamedTensor(Outputs[o].Name, data.ToArray(), dims[..rank].ToArray());
            }
            return results;
        }
        finally
        {
            foreach (var v in inputValues.Concat(outputValues).Where(v => v != 0))
            {
                Api.ReleaseValue(v);
            }
            foreach (var pin in pins.Where(p => p.IsAllocated))
            {
                pin.Free();
            }
        }
    }

    /// <summary>
    /// A reusable, allocation-free runner over pinned buffers. <paramref name="inputShapes"/> gives
    /// concrete shapes for inputs with symbolic dimensions (null: the declared shapes, which must
    /// then be fixed).
    /// </summary>
    public OnnxRunner CreateRunner(IReadOnlyList<long[]>? inputShapes = null) => new(this, inputShapes);

    public void Dispose()
    {
        _memoryInfo.Dispose();
        _session.Dispose();
    }

    /// <summary>An OrtValue over caller-owned memory (ORT does not copy it: keep it pinned while the value lives).</summary>
    internal nint CreateTensor(float* data, int length, ReadOnlySpan<long> shape)
    {
        nint value;
        fixed (long* s = shape)
        {
            Api.Check(Api.CreateTensorWithDataAsOrtValue(_memoryInfo.DangerousGetHandle(), data, (nuint)length * sizeof(float), s, (nuint)shape.Length, (int)TensorElementType.Float, &value));
        }
        return value;
    }

    internal void RunRaw(byte** inputNames, nint* inputs, int inputCount, byte** outputNames, nint* outputs, int outputCount)
    {
        ObjectDisposedException.ThrowIf(_session.IsClosed, this);
        Api.Check(Api.Run(_session.DangerousGetHandle(), 0, inputNames, inputs, (nuint)inputCount, outputNames, (nuint)outputCount, outputs));
    }

    private static OrtHandle CreateOptions(OrtApi api, OnnxSessionOptions options)
    {
        nint raw;
        api.Check(api.CreateSessionOptions(&raw));
        var handle = new OrtHandle(raw, api.ReleaseSessionOptions);
        try
        {
            api.Check(api.SetIntraOpNumThreads(raw, options.IntraOpThreads));
            api.Check(api.SetInterOpNumThreads(raw, 1));
            api.Check(api.SetSessionGraphOptimizationLevel(raw, (int)options.GraphOptimization));
            AddConfigEntry(api, raw, "session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
            foreach (var (key, value) in options.ConfigEntries)
            {
                AddConfigEntry(api, raw, key, value);
            }
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void AddConfigEntry(OrtApi api, nint options, string key, string value)
    {
        fixed (byte* k = Encoding.UTF8.GetBytes(key + "\0"))
        fixed (byte* v = Encoding.UTF8.GetBytes(value + "\0"))
        {
            api.Check(api.AddSessionConfigEntry(options, k, v));
        }
    }

    private TensorInfo[] Describe(bool input)
    {
        var session = _session.DangerousGetHandle();
        nuint count;
        Api.Check(input ? Api.SessionGetInputCount(session, &count) : Api.SessionGetOutputCount(session, &count));
        nint allocator;
        Api.Check(Api.GetAllocatorWithDefaultOptions(&allocator));
        var result = new TensorInfo[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* name;
            Api.Check(input ? Api.SessionGetInputName(session, i, allocator, &name) : Api.SessionGetOutputName(session, i, allocator, &name));
            string text;
            try
            {
                text = Marshal.PtrToStringUTF8((nint)name) ?? "";
            }
            finally
            {
                Api.Check(Api.AllocatorFree(allocator, name));
            }
            nint typeInfo;
            Api.Check(input ? Api.SessionGetInputTypeInfo(session, i, &typeInfo) : Api.SessionGetOutputTypeInfo(session, i, &typeInfo));
            try
            {
                result[(int)i] = DescribeType(text, typeInfo);
            }
            finally
            {
                Api.ReleaseTypeInfo(typeInfo);
            }
        }
        return result;
    }

    private TensorInfo DescribeType(string name, nint typeInfo)
    {
        int onnxType;
        Api.Check(Api.GetOnnxTypeFromTypeInfo(typeInfo, &onnxType));
        if (onnxType != OnnxTypeTensor)
        {
            return new TensorInfo(name, TensorElementType.Undefined, []);
        }
        nint tensorInfo;
        Api.Check(Api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo));
        int elementType;
        Api.Check(Api.GetTensorElementType(tensorInfo, &elementType));
        nuint rank;
        Api.Check(Api.GetDimensionsCount(tensorInfo, &rank));
        var dims = new long[(int)rank];
        fixed (long* d = dims)
        {
            Api.Check(Api.GetDimensions(tensorInfo, d, rank));
        }
        return new TensorInfo(name, (TensorElementType)elementType, dims);
    }
}
