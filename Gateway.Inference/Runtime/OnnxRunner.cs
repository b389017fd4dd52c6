using Microsoft.ML.OnnxRuntime;
using PackageException = Microsoft.ML.OnnxRuntime.OnnxRuntimeException;

namespace Gateway.Inference.Runtime;

/// <summary>
/// The per-frame path of one session, through ONNX Runtime's <see cref="OrtIoBinding"/>: inputs
/// are tensors over pinned arrays, bound once; outputs with a fixed shape are bound once to pinned
/// arrays that ORT writes straight into; <see cref="Run"/> is then <c>RunWithBinding</c> alone and
/// allocates nothing managed. Outputs with symbolic dimensions are bound to ORT's CPU allocator
/// instead and fetched after each run (their shape may change from run to run): that costs a few
/// hundred managed bytes per run (224 B for one such output: Runtime/README.md). Not thread-safe: one runner per worker.
/// </summary>
public sealed class OnnxRunner : IDisposable
{
    private readonly OnnxSession _session;
    private readonly float[][] _inputs;
    private readonly long[][] _inputShapes;
    private readonly List<OrtValue> _values = [];
    private readonly float[]?[] _boundOutputs;
    private readonly long[][] _outputShapes;
    private readonly bool _anySymbolic;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions;
    private OnnxSession.SessionLease? _lease;
    private IDisposableReadOnlyCollection<OrtValue>? _fetched;
    private bool _ran;

    internal OnnxRunner(OnnxSession session, IReadOnlyList<long[]>? inputShapes)
    {
        _session = session;
        var inputs = session.Inputs;
        var outputs = session.Outputs;
        if (inputShapes is not null && inputShapes.Count != inputs.Count)
        {
            throw new ArgumentException($"{inputShapes.Count} input shape(s) given; the model has {inputs.Count} input(s)", nameof(inputShapes));
        }
        foreach (var t in inputs.Concat(outputs).Where(t => t.ElementType != TensorElementType.Float))
        {
            throw new NotSupportedException($"'{t.Name}' is {t.ElementType}; the runner supports float tensors only");
        }
        _inputs = new float[inputs.Count][];
        _inputShapes = new long[inputs.Count][];
        _boundOutputs = new float[outputs.Count][];
        _outputShapes = new long[outputs.Count][];
        for (var i = 0; i < inputs.Count; i++)
        {
            var shape = inputShapes?[i] ?? [.. inputs[i].Shape];
            if (shape.Length != inputs[i].Shape.Count || shape.Any(d => d <= 0))
            {
                throw new ArgumentException($"input '{inputs[i].Name}' needs a concrete shape of rank {inputs[i].Shape.Count}; got [{string.Join(",", shape)}]");
            }
            _inputShapes[i] = shape;
        }
        _lease = session.Lease();
        try
        {
            _runOptions = new RunOptions();
            _binding = session.Inner.CreateIoBinding();
            for (var i = 0; i < inputs.Count; i++)
            {
                _inputs[i] = GC.AllocateArray<float>(Elements(_inputShapes[i]), pinned: true);
                _binding.BindInput(inputs[i].Name, Value(_inputs[i], _inputShapes[i]));
            }
            // Bound in output order, so GetOutputValues() lists them by output index.
            for (var o = 0; o < outputs.Count; o++)
            {
                if (outputs[o].IsFixed)
                {
                    _outputShapes[o] = [.. outputs[o].Shape];
                    _boundOutputs[o] = GC.AllocateArray<float>(Elements(_outputShapes[o]), pinned: true);
                    _binding.BindOutput(outputs[o].Name, Value(_boundOutputs[o]!, _outputShapes[o]));
                }
                else
                {
                    _outputShapes[o] = [];
                    _anySymbolic = true;
                    _binding.BindOutputToDevice(outputs[o].Name, OrtMemoryInfo.DefaultInstance);
                }
            }
        }
        catch (PackageException e)
        {
            Dispose();
            throw OnnxRuntimeException.From(e);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public OnnxSession Session => _session;

    public int InputCount => _inputs.Length;

    public int OutputCount => _boundOutputs.Length;

    /// <summary>The buffer of input <paramref name="index"/>: fill it before <see cref="Run"/>.</summary>
    public Span<float> Input(int index) => _inputs[index];

    public ReadOnlySpan<long> InputShape(int index) => _inputShapes[index];

    /// <summary>Output <paramref name="index"/> of the last run; valid until the next run.</summary>
    public ReadOnlySpan<float> Output(int index)
    {
        if (!_ran)
        {
            throw new InvalidOperationException("Run() has not been called yet");
        }
        return _boundOutputs[index] ?? _fetched![index].GetTensorDataAsSpan<float>();
    }

    /// <summary>The concrete shape of output <paramref name="index"/> (after a run, for symbolic outputs).</summary>
    public ReadOnlySpan<long> OutputShape(int index) => _outputShapes[index];

    public void Run()
    {
        ObjectDisposedException.ThrowIf(_lease is null, this);
        ObjectDisposedException.ThrowIf(_session.IsDisposed, _session);
        _ran = false;
        _fetched?.Dispose();
        _fetched = null;
        try
        {
            _session.Inner.RunWithBinding(_runOptions, _binding);
            if (_anySymbolic)
            {
                _fetched = _binding.GetOutputValues();
                for (var o = 0; o < _boundOutputs.Length; o++)
                {
                    if (_boundOutputs[o] is null)
                    {
                        var info = _fetched[o].GetTensorTypeAndShape();
                        _outputShapes[o] = info.Shape;
                    }
                }
            }
        }
        catch (PackageException e)
        {
            throw OnnxRuntimeException.From(e);
        }
        _ran = true;
    }

    public void Dispose()
    {
        _fetched?.Dispose();
        _fetched = null;
        _binding?.Dispose();
        _runOptions?.Dispose();
        _values.ForEach(v => v.Dispose());
        _values.Clear();
        _lease?.Dispose();
        _lease = null;
    }

    private OrtValue Value(float[] pinned, long[] shape)
    {
        var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pinned.AsMemory(), shape);
        _values.Add(value);
        return value;
    }

    private static int Elements(long[] shape) => checked((int)shape.Aggregate(1L, (a, d) => a * d));
}
