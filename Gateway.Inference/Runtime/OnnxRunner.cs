namespace Gateway.Inference.Runtime;

/// <summary>
/// The per-frame path of one session: input tensors over pinned buffers created once, outputs
/// with a fixed shape bound to pinned buffers once (ORT writes straight into them), outputs
/// with symbolic dimensions taken from ORT and released on the next run. <see cref="Run"/>
/// allocates nothing managed. Not thread-safe: one runner per worker.
/// </summary>
public sealed unsafe class OnnxRunner : IDisposable
{
    private readonly OnnxSession _session;
    private readonly NativeStrings _names;
    private readonly float[][] _inputs;
    private readonly long[][] _inputShapes;
    private readonly nint[] _inputValues;
    private readonly float[]?[] _boundOutputs;
    private readonly nint[] _outputValues;
    private readonly long[][] _outputShapes;
    private readonly int[] _outputRanks;
    private bool _sessionRef;
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
        session.Handle.DangerousAddRef(ref _sessionRef);
        _names = new NativeStrings(inputs.Select(i => i.Name).Concat(outputs.Select(o => o.Name)).ToArray());
        _inputs = new float[inputs.Count][];
        _inputShapes = new long[inputs.Count][];
        _inputValues = new nint[inputs.Count];
        _boundOutputs = new float[outputs.Count][];
        _outputValues = new nint[outputs.Count];
        _outputShapes = new long[outputs.Count][];
        _outputRanks = new int[outputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                var shape = inputShapes?[i] ?? [.. inputs[i].Shape];
                if (shape.Length != inputs[i].Shape.Count || shape.Any(d => d <= 0))
                {
                    throw new ArgumentException($"input '{inputs[i].Name}' needs a concrete shape of rank {inputs[i].Shape.Count}; got [{string.Join(",", shape)}]");
                }
                _inputShapes[i] = shape;
                _inputs[i] = GC.AllocateArray<float>(checked((int)shape.Aggregate(1L, (a, d) => a * d)), pinned: true);
                fixed (float* p = _inputs[i])
                {
                    _inputValues[i] = session.CreateTensor(p, _inputs[i].Length, shape);
                }
            }
            for (var o = 0; o < outputs.Count; o++)
            {
                var declared = outputs[o].Shape;
                _outputShapes[o] = new long[OrtTensorShape.MaxRank];
                if (declared.Count <= OrtTensorShape.MaxRank && declared.All(d => d > 0))
                {
                    var shape = declared.ToArray();
                    shape.CopyTo(_outputShapes[o], 0);
                    _outputRanks[o] = shape.Length;
                    var buffer = GC.AllocateArray<float>(checked((int)shape.Aggregate(1L, (a, d) => a * d)), pinned: true);
                    _boundOutputs[o] = buffer;
                    fixed (float* p = buffer)
                    {
                        _outputValues[o] = session.CreateTensor(p, buffer.Length, shape);
                    }
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public OnnxSession Session => _session;

    public int InputCount => _inputs.Length;

    public int OutputCount => _outputValues.Length;

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
        if (_boundOutputs[index] is { } bound)
        {
            return bound;
        }
        long elements = 1;
        foreach (var d in OutputShape(index))
        {
            elements *= d;
        }
        void* data;
        _session.Api.Check(_session.Api.GetTensorMutableData(_outputValues[index], &data));
        return new ReadOnlySpan<float>(data, checked((int)elements));
    }

    /// <summary>The concrete shape of output <paramref name="index"/> (after a run, for symbolic outputs).</summary>
    public ReadOnlySpan<long> OutputShape(int index) => _outputShapes[index].AsSpan(0, _outputRanks[index]);

    public void Run()
    {
        ObjectDisposedException.ThrowIf(_sessionRef is false, this);
        for (var o = 0; o < _outputValues.Length; o++)
        {
            if (_boundOutputs[o] is null && _outputValues[o] != 0)
            {
                _session.Api.ReleaseValue(_outputValues[o]);
                _outputValues[o] = 0;
            }
        }
        fixed (nint* inputs = _inputValues)
        fixed (nint* outputs = _outputValues)
        {
            _session.RunRaw(_names.Pointers, inputs, _inputValues.Length, _names.Pointers + _inputValues.Length, outputs, _outputValues.Length);
        }
        for (var o = 0; o < _outputValues.Length; o++)
        {
            if (_boundOutputs[o] is null)
            {
                OrtTensorShape.Read(_session.Api, _outputValues[o], _session.Outputs[o], _outputShapes[o], out _outputRanks[o]);
            }
        }
        _ran = true;
    }

    public void Dispose()
    {
        foreach (var value in _inputValues.Concat(_outputValues).Where(v => v != 0))
        {
            _session.Api.ReleaseValue(value);
        }
        Array.Clear(_inputValues);
        Array.Clear(_outputValues);
        _names?.Dispose();
        if (_sessionRef)
        {
            _session.Handle.DangerousRelease();
            _sessionRef = false;
        }
    }
}
